using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// A page of session invoices is written straight from the records: it must be byte for byte what the generated DTOs
/// (<see cref="SessionInvoiceStatusResponse"/> as the single-invoice route maps them) serialize to.
/// </summary>
public sealed class InvoicePageJsonTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("abc.def", "https://ksef.example.test/sandbox/")]
    public async Task SameBytesAsTheDtos(string? continuationToken, string? publicBaseUrl)
    {
        await using var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.LargeSessionInvoices = 300;
            o.PublicBaseUrl = publicBaseUrl;
        });
        // A frozen clock: the DTO path takes the time once per link, the page once per page.
        var upo = new UpoService(
            app.Services.GetRequiredService<UpoSigner>(),
            app.Services.GetRequiredService<SignedTokens>(),
            new Frozen(new DateTimeOffset(2026, 11, 2, 8, 30, 15, 123, TimeSpan.Zero)),
            app.Services.GetRequiredService<SandboxOptions>());
        var store = app.Services.GetRequiredService<SandboxStore>();
        var sessions = store.Contexts.SelectMany(c => store.SessionsOf(c.Nip)).Append(Unusual()).ToList();
        Assert.Contains(sessions, s => s.Invoices.Any(i => i.OriginalKsefNumber is not null));
        Assert.Contains(sessions, s => s.Invoices.Any(i => i.FileName is not null));
        Assert.Contains(sessions, s => s.Invoices.Any(i => i.Offline));
        Assert.Contains(sessions, s => s.Invoices.Any(i => i.Status == 200));
        Assert.Contains(sessions, s => s.Invoices.Any(i => i.StatusDetail is not null));

        async Task<byte[]> Run(IResult result)
        {
            var http = Http();
            using var body = new MemoryStream();
            http.Response.Body = body;
            await result.ExecuteAsync(http);
            Assert.Equal(200, http.Response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", http.Response.ContentType);
            return body.ToArray();
        }

        HttpContext Http()
        {
            var http = new DefaultHttpContext { RequestServices = app.Services };
            http.Request.Scheme = "http";
            http.Request.Host = new HostString("127.0.0.1", 5080);
            return http;
        }

        foreach (var session in sessions)
        {
            var invoices = session.Invoices;
            // The whole list, and a page from the middle of it.
            foreach (var (start, count) in new[] { (0, invoices.Count), (invoices.Count / 3, invoices.Count / 3) })
            {
                var expected = await Run(Results.Ok(new SessionInvoicesResponse
                {
                    ContinuationToken = continuationToken,
                    Invoices = [.. invoices.Skip(start).Take(count).Select(i => SessionStatusApi.Invoice(Http(), upo, session, i))],
                }));
                var actual = await Run(SessionStatusApi.InvoicePageResult(Http(), upo, session, invoices, start, count, continuationToken));
                Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
            }
        }
    }

    /// <summary>Values the seed does not produce: characters that need escaping, a duplicate without its original session.</summary>
    private static SessionRecord Unusual()
    {
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(1));
        var session = new SessionRecord("20261102-SB-0123456789-ABCDEF0123-7A", "5265877635", isBatch: true, at);
        session.AddInvoice(new InvoiceRecord(1, "20261102-EE-0123456789-ABCDEF0001-7A", "FV/2026/11/1 – zażółć <&> \"ü\" +", [.. Enumerable.Range(0, 32).Select(b => (byte)(b * 7))], at)
        {
            Status = 200,
            KsefNumber = "5265877635-20261102-0100001AF629-AF",
            AcquisitionDate = at.AddSeconds(1.5),
            PermanentStorageDate = at.AddTicks(1),
            FileName = "faktura \"1\".xml",
        });
        session.AddInvoice(new InvoiceRecord(2, "20261102-EE-0123456789-ABCDEF0002-7A", null, new byte[32], at)
        {
            Status = 440,
            StatusDetail = "Duplikat: \u00e9\u2028",
            OriginalKsefNumber = "5265877635-20261102-0100001AF629-AF",
            Offline = true,
        });
        session.AddInvoice(new InvoiceRecord(3, "20261102-EE-0123456789-ABCDEF0003-7A", "3", new byte[32], at) { Status = 999 });
        return session;
    }

    private sealed class Frozen(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
