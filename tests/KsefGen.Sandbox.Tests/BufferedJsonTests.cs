using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.Contracts;
using Microsoft.AspNetCore.Http;

namespace KsefGen.Sandbox.Tests;

/// <summary>BufferedJson sends exactly what Results.Ok would, with a Content-Length.</summary>
public sealed class BufferedJsonTests
{
    [Fact]
    public async Task SameBytesAndContentTypeAsResultsOk()
    {
        await using var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0"]);
        var value = new SessionInvoicesResponse
        {
            ContinuationToken = "abc.def",
            Invoices =
            [
                .. Enumerable.Range(1, 300).Select(i => new SessionInvoiceStatusResponse
                {
                    OrdinalNumber = i,
                    ReferenceNumber = $"20261102-EE-0123456789-ABCDEF{i:D4}-7A",
                    InvoiceNumber = $"FV/2026/11/{i:D5} – zażółć <&> \"ü\"",
                    InvoiceHash = [.. Enumerable.Range(0, 32).Select(b => (byte)(b * i))],
                    InvoicingDate = new DateTimeOffset(2026, 11, 2, 8, 0, i % 60, TimeSpan.FromHours(1)),
                    UpoDownloadUrl = new Uri($"http://127.0.0.1:5080/storage/upo/token-{i}.mac_-"),
                    Status = new InvoiceStatusInfo
                    {
                        Code = 440,
                        Description = "Duplikat faktury",
                        Details = ["szczegół"],
                        Extensions = new Dictionary<string, string?> { ["originalKsefNumber"] = "5265877635-20250826-0100001AF629-AF" },
                    },
                }),
            ],
        };

        async Task<(byte[] Body, string? ContentType, long? Length)> Run(IResult result)
        {
            var http = new DefaultHttpContext { RequestServices = app.Services };
            using var body = new MemoryStream();
            http.Response.Body = body;
            await result.ExecuteAsync(http);
            Assert.Equal(200, http.Response.StatusCode);
            return (body.ToArray(), http.Response.ContentType, http.Response.ContentLength);
        }

        var expected = await Run(Results.Ok(value));
        var actual = await Run(BufferedJson.Ok(value));
        Assert.True(expected.Body.Length > 100_000);
        Assert.Equal(expected.ContentType, actual.ContentType);
        Assert.Equal(expected.Body, actual.Body);
        Assert.Equal(actual.Body.Length, actual.Length);
    }
}
