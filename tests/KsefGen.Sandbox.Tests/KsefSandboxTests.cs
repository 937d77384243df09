using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Upo;
using KsefGen.Sandbox.State;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Sandbox.Tests;

/// <summary>The public in-process starter, as a user's test project sees it.</summary>
public sealed class KsefSandboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Small and quick: the seeded data stays the same, only the large session shrinks.</summary>
    private static void Small(SandboxOptions options)
    {
        options.LargeSessionInvoices = 20;
        options.AuthenticationDelay = TimeSpan.FromMilliseconds(20);
    }

    [Fact]
    public async Task StartsOnAFreeLoopbackPortAndServesTheApiAtBaseAddress()
    {
        await using var sandbox = await KsefSandbox.StartAsync(Small, Ct);

        Assert.Equal("http", sandbox.Origin.Scheme);
        Assert.Equal("127.0.0.1", sandbox.Origin.Host);
        Assert.True(sandbox.Origin.Port > 0, sandbox.Origin.ToString());
        Assert.Equal("/", sandbox.Origin.AbsolutePath);
        Assert.Equal($"http://127.0.0.1:{sandbox.Origin.Port}/v2/", sandbox.BaseAddress.ToString());

        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
        using var response = await http.GetAsync("security/public-key-certificates", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var certificates = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(JsonValueKind.Array, certificates.ValueKind);
        Assert.NotEqual(0, certificates.GetArrayLength());
    }

    [Fact]
    public async Task ContextsAreTheSeededOnesWithWorkingKsefTokens()
    {
        await using var sandbox = await KsefSandbox.StartAsync(Small, Ct);
        using var http = new HttpClient { BaseAddress = sandbox.Origin };

        var listed = await ListedContextsAsync(http);
        Assert.Equal(2, sandbox.Contexts.Count);
        Assert.Equal(listed, sandbox.Contexts);
        Assert.All(sandbox.Contexts, c => Assert.Matches("^[0-9]{10}$", c.Nip));
        Assert.All(sandbox.Contexts, c => Assert.Contains("|nip-" + c.Nip + "|", c.KsefToken, StringComparison.Ordinal));
        Assert.Equal(sandbox.Contexts[0], sandbox.Context);
        Assert.NotEqual(sandbox.Contexts[0].Nip, sandbox.Contexts[1].Nip);

        // The token authenticates for its context through the official flow.
        using var api = new HttpClient { BaseAddress = sandbox.BaseAddress };
        using var session = await KsefAuthenticator.WithKsefTokenAsync(api, sandbox.Context.Nip, sandbox.Context.KsefToken, Ct);
        // ... and the other context's token does not authenticate for this one.
        await Assert.ThrowsAsync<KsefAuthenticationException>(() => KsefAuthenticator.WithKsefTokenAsync(api, sandbox.Context.Nip, sandbox.Contexts[1].KsefToken, Ct));
    }

    [Fact]
    public async Task ContextsFollowAResetWithAnotherSeed()
    {
        await using var sandbox = await KsefSandbox.StartAsync(Small, Ct);
        using var http = new HttpClient { BaseAddress = sandbox.Origin };
        var before = sandbox.Contexts;

        using (var reset = await http.PostAsJsonAsync("sandbox/reset", new { seed = 7 }, Ct)) reset.EnsureSuccessStatusCode();

        var after = sandbox.Contexts;
        Assert.Equal(await ListedContextsAsync(http), after);
        Assert.DoesNotContain(after, c => before.Any(b => b.Nip == c.Nip));
    }

    [Fact]
    public async Task UpoCertificateIsThePublishedOneAndVerifiesTheSandboxsUpo()
    {
        await using var sandbox = await KsefSandbox.StartAsync(Small, Ct);
        using var http = new HttpClient { BaseAddress = sandbox.Origin };

        var published = await http.GetStringAsync("sandbox/upo-certificate", Ct);
        Assert.Equal(published.Trim(), sandbox.UpoCertificate.ExportCertificatePem().Trim());
        Assert.False(sandbox.UpoCertificate.HasPrivateKey);

        var (upo, hash) = await InvoiceUpoAsync(sandbox);
        var options = new UpoVerifierOptions();
        options.PinnedCertificates.Add(sandbox.UpoCertificate);
        var result = new UpoVerifier(options).Verify(upo, hash);
        Assert.Equal(UpoTrustBasis.PinnedCertificate, result.TrustBasis);
        Assert.True(result.HashVerified);
        Assert.Equal(sandbox.UpoCertificate.Thumbprint, result.SignerCertificate.Thumbprint);
    }

    [Fact]
    public async Task TwoSandboxesAtOnceHaveTheirOwnPortsAndCertificates()
    {
        await using var first = await KsefSandbox.StartAsync(Small, Ct);
        await using var second = await KsefSandbox.StartAsync(Small, Ct);

        Assert.NotEqual(first.Origin.Port, second.Origin.Port);
        foreach (var sandbox in new[] { first, second })
        {
            using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
            using var response = await http.GetAsync("security/public-key-certificates", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Same seed, same data; but each signs with its own certificate, so one's UPO does not verify against the other's.
        Assert.Equal(first.Contexts, second.Contexts);
        Assert.NotEqual(first.UpoCertificate.Thumbprint, second.UpoCertificate.Thumbprint);
        var (upo, hash) = await InvoiceUpoAsync(first);
        var options = new UpoVerifierOptions();
        options.PinnedCertificates.Add(second.UpoCertificate);
        Assert.Throws<UpoVerificationException>(() => new UpoVerifier(options).Verify(upo, hash));
    }

    [Fact]
    public async Task TheConfigureCallbackIsApplied()
    {
        await using var sandbox = await KsefSandbox.StartAsync(o =>
        {
            Small(o);
            o.Seed = 7;
            o.Contexts = 4;
        }, Ct);

        var expected = Seeder.Seed(new SandboxOptions { Seed = 7, Contexts = 4, LargeSessionInvoices = 20 }).Contexts.Select(c => c.Nip);
        var defaultSeed = Seeder.Seed(new SandboxOptions { LargeSessionInvoices = 20 }).Contexts.Select(c => c.Nip);
        Assert.Equal(expected, sandbox.Contexts.Select(c => c.Nip));
        Assert.NotEqual(defaultSeed.First(), sandbox.Context.Nip);
        Assert.Equal(7, sandbox.Services.GetRequiredService<SandboxOptions>().Seed);

        using var http = new HttpClient { BaseAddress = sandbox.Origin };
        Assert.Equal(4, (await ListedContextsAsync(http)).Count);
    }

    [Fact]
    public async Task DisposeAsyncStopsTheSandboxAndThePortRefusesConnections()
    {
        var sandbox = await KsefSandbox.StartAsync(Small, Ct);
        var port = sandbox.Origin.Port;
        using (var before = new TcpClient())
        {
            await before.ConnectAsync(IPAddress.Loopback, port, Ct);
            Assert.True(before.Connected);
        }

        await sandbox.DisposeAsync();
        await sandbox.DisposeAsync();

        using var after = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await after.ConnectAsync(IPAddress.Loopback, port, Ct));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public void ThePublicSurfaceIsTheStarterAndTheComposition()
    {
        // What a test project gets from KsefGen.Sandbox.Testing, besides the wire DTOs the generator makes public; in
        // particular no Program in the global namespace, which would clash with a web app's own.
        var exported = typeof(KsefSandbox).Assembly.GetExportedTypes()
            .Where(t => t.Namespace != "KsefGen.Sandbox.Contracts")
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal);
        Assert.Equal(["KsefGen.Sandbox.KsefSandbox", "KsefGen.Sandbox.KsefSandboxContext", "KsefGen.Sandbox.SandboxApp", "KsefGen.Sandbox.SandboxOptions"], exported);
    }

    private static async Task<List<KsefSandboxContext>> ListedContextsAsync(HttpClient origin)
    {
        var listed = await origin.GetFromJsonAsync<JsonElement>("sandbox/contexts", Ct);
        return [.. listed.EnumerateArray().Select(c => new KsefSandboxContext(
            c.GetProperty("nip").GetString()!, c.GetProperty("name").GetString()!, c.GetProperty("ksefToken").GetString()!))];
    }

    /// <summary>The UPO of an accepted seeded invoice of the first context, through the API with a KSeF-token login, and its x-ms-meta-hash.</summary>
    private static async Task<(byte[] Upo, string Hash)> InvoiceUpoAsync(KsefSandbox sandbox)
    {
        var store = sandbox.Services.GetRequiredService<SandboxStore>();
        var (session, invoice) = store.SessionsOf(sandbox.Context.Nip)
            .SelectMany(s => s.Invoices.Where(i => i.Status == 200 && i.KsefNumber is not null).Select(i => (Session: s, Invoice: i)))
            .First();
        using var plain = new HttpClient { BaseAddress = sandbox.BaseAddress };
        using var tokens = await KsefAuthenticator.WithKsefTokenAsync(plain, sandbox.Context.Nip, sandbox.Context.KsefToken, Ct);
        using var api = new HttpClient(new KsefAccessTokenHandler(tokens) { InnerHandler = new HttpClientHandler() }) { BaseAddress = sandbox.BaseAddress };
        using var response = await api.GetAsync($"sessions/{session.ReferenceNumber}/invoices/ksef/{invoice.KsefNumber}/upo", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsByteArrayAsync(Ct), response.Headers.GetValues("x-ms-meta-hash").Single());
    }

    [Fact]
    public async Task SampleInvoicesAreAcceptedOnceAndAnEarlierIssueDateMakesThemOffline()
    {
        await using var sandbox = await KsefSandbox.StartAsync(o => { Small(o); o.ProcessingDelay = TimeSpan.FromMilliseconds(50); }, Ct);
        var seller = sandbox.Context;
        using var plain = new HttpClient { BaseAddress = sandbox.BaseAddress };
        using var tokens = await KsefAuthenticator.WithKsefTokenAsync(plain, seller.Nip, seller.KsefToken, Ct);
        using var authorized = new HttpClient(new KsefAccessTokenHandler(tokens) { InnerHandler = new HttpClientHandler() }) { BaseAddress = sandbox.BaseAddress };
        var sender = new KsefGen.Runtime.Sending.KsefSender(authorized);

        var today = sandbox.SampleInvoice(seller.Nip, "FV/1");
        var yesterday = sandbox.SampleInvoice(seller.Nip, "FV/2", DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-3));
        await using (var session = await sender.OpenOnlineSessionAsync(KsefGen.Runtime.Sending.KsefFormCode.Fa3, Ct))
        {
            await session.SendInvoiceAsync(today, Ct);
            await session.SendInvoiceAsync(yesterday, Ct);
            await session.SendInvoiceAsync(today, Ct);
            var result = await session.CloseAndWaitAsync(Ct);
            var byOrder = result.Invoices.OrderBy(i => i.OrdinalNumber).ToList();
            Assert.Equal([200, 200, 440], byOrder.Select(i => i.Code));
            Assert.Equal(["Online", "Offline", "Online"], byOrder.Select(i => i.InvoicingMode ?? "Online"));
            Assert.Equal("FV/1", byOrder[0].InvoiceNumber);
        }

        // Another seller's NIP in Podmiot1 is not this context's invoice (410), as on KSeF.
        await using var other = await sender.OpenOnlineSessionAsync(KsefGen.Runtime.Sending.KsefFormCode.Fa3, Ct);
        await other.SendInvoiceAsync(sandbox.SampleInvoice(sandbox.Contexts[1].Nip, "FV/3"), Ct);
        Assert.Equal(410, Assert.Single((await other.CloseAndWaitAsync(Ct)).Invoices).Code);
    }
}
