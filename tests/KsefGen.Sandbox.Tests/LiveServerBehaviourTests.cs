using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.Tests.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Sandbox.Tests;

/// <summary>Details where the sandbox follows what the live server (and the official SDK's tests against it) do.</summary>
[Collection(SandboxCollection.Name)]
public sealed class LiveServerBehaviourTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Nip => sandbox.Store.Contexts[0].Nip;

    [Fact]
    public async Task SessionCountsAreAbsentUntilThereIsSomethingToCountAndGivenInFullOnceFinal()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var empty = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.Null(empty.InvoiceCount);
        Assert.Null(empty.SuccessfulInvoiceCount);
        Assert.Null(empty.FailedInvoiceCount);

        await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, $"CNT/{Guid.NewGuid():N}"), key, iv), Ct);
        var sent = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(1, sent.InvoiceCount);
        Assert.Null(sent.SuccessfulInvoiceCount);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        var processed = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(1, processed.SuccessfulInvoiceCount);
        Assert.Null(processed.FailedInvoiceCount);

        await client.OnlineSession.CloseOnlineSessionAsync(opened.ReferenceNumber, Ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        var final = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(200, final.Status.Code);
        Assert.Equal(0, final.FailedInvoiceCount);
        Assert.NotNull(final.ValidUntil);
    }

    [Fact]
    public async Task BatchSessionsHaveValidUntilToo()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var (request, _) = KsefTestKit.BatchRequest(KsefTestKit.Zip(("a.xml", KsefTestKit.Invoice(Nip, $"B/{Guid.NewGuid():N}"))), 1, key, iv, encryption);
        var opened = await client.BatchSession.OpenBatchSessionAsync(request, Ct);
        var status = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.NotNull(status.ValidUntil);
        Assert.True(status.ValidUntil > status.DateCreated);
    }

    [Fact]
    public async Task AnOnlineInvoiceIssuedOnAnEarlierPolishDayIsMarkedOffline()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var today = InvoiceChecks.PolishDay(sandbox.Clock.GetUtcNow());
        var late = await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber,
            KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, $"OFF/{Guid.NewGuid():N}", issued: today.AddDays(-1)), key, iv), Ct);
        var onTime = await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber,
            KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, $"ON/{Guid.NewGuid():N}", issued: today), key, iv), Ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(InvoicingMode.Offline, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, late.ReferenceNumber, Ct)).InvoicingMode);
        Assert.Equal(InvoicingMode.Online, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, onTime.ReferenceNumber, Ct)).InvoicingMode);
    }

    [Fact]
    public async Task StatusDescriptionsNeverKeepAnUnfilledPlaceholder()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var sent = await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, $"PH/{Guid.NewGuid():N}"), key, iv), Ct);
        (await sandbox.Http.PostAsJsonAsync($"sandbox/sessions/{opened.ReferenceNumber}/invoices/{sent.ReferenceNumber}/status", new { code = 500, when = "now" }, Ct)).EnsureSuccessStatusCode();
        var status = await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, sent.ReferenceNumber, Ct);
        Assert.Equal(500, status.Status.Code);
        Assert.DoesNotContain("{", status.Status.Description, StringComparison.Ordinal);
        Assert.Contains("500", status.Status.Description, StringComparison.Ordinal);
        Assert.Equal(StatusCatalog.Describe(StatusTable.Invoice, 500), status.Status.Description);
    }

    [Fact]
    public async Task GetAuthSessionsIsNotMistakenForAnAuthenticationStatus()
    {
        // Without the /auth/sessions route, ASP.NET would route this to GET /auth/{referenceNumber} and demand an operation token.
        using var response = await sandbox.Http.GetAsync("v2/auth/sessions", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("authentication token", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABugAnswers500InTheKsefErrorShapeNeverA400()
    {
        await using var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None"]);
        app.MapGet("/v2/test-bug", (HttpContext _) => throw new InvalidOperationException("a bug"));
        await app.StartAsync(Ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var response = await http.GetAsync("/v2/test-bug", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var detail = body.GetProperty("exception").GetProperty("exceptionDetailList")[0];
        Assert.Equal(500, detail.GetProperty("exceptionCode").GetInt32());
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task RateLimitScaleMultipliesTheReportedAndEnforcedBudgetsButNotTheProductionProfile()
    {
        await using var scaled = new SandboxFixture { RateLimits = true, Configure = o => o.RateLimitScale = 2 };
        await scaled.InitializeAsync();
        var nip = scaled.Store.Contexts[0].Nip;
        var client = await scaled.ClientAsync(nip);

        var reported = await client.Limits.GetRateLimitsAsync(Ct);
        Assert.Equal(40, reported.InvoiceExport.PerHour);          // 20 an hour in production
        Assert.Equal(10, reported.SessionList.PerSecond);          // 5 a second
        Assert.Equal(240, reported.Other.PerHour);                 // 120 an hour

        // GET /sessions: 10 a second and 20 a minute now (5 and 10 in production).
        for (var i = 0; i < 10; i++) await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);
        scaled.Clock.Advance(TimeSpan.FromSeconds(1.5));
        for (var i = 0; i < 10; i++) await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);
        scaled.Clock.Advance(TimeSpan.FromSeconds(1.5));
        var limited = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.InRange(limited.RetryAfter!.Value.TotalSeconds, 50, 60);

        // The production profile is production's values, whatever the scale.
        await client.Limits.SetProductionRateLimitsAsync(Ct);
        Assert.Equal(20, (await client.Limits.GetRateLimitsAsync(Ct)).InvoiceExport.PerHour);
    }

    [Fact]
    public async Task ARateLimitScaleBelowOneStopsTheStartWithAClearMessage()
    {
        await using var broken = new SandboxFixture { Configure = o => o.RateLimitScale = 0 };
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () => await broken.InitializeAsync());
        Assert.Contains("RateLimitScale must be 1 or more", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageLinksUseThePublicBaseUrlWhenOneIsConfigured()
    {
        await using var proxied = new SandboxFixture { Configure = o => o.PublicBaseUrl = "https://ksef-sandbox.example:8443/" };
        await proxied.InitializeAsync();
        var nip = proxied.Store.Contexts[0].Nip;
        var client = await proxied.ClientAsync(nip);
        var session = proxied.Store.SessionsOf(nip).First(s => s.Status == 200 && s.SuccessfulInvoiceCount > 0);
        var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct);
        Assert.StartsWith("https://ksef-sandbox.example:8443/storage/upo/", status.Upo!.Pages[0].DownloadUrl.ToString(), StringComparison.Ordinal);

        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var (request, _) = KsefTestKit.BatchRequest(KsefTestKit.Zip(("a.xml", KsefTestKit.Invoice(nip, $"B/{Guid.NewGuid():N}"))), 1, key, iv, encryption);
        var opened = await client.BatchSession.OpenBatchSessionAsync(request, Ct);
        Assert.StartsWith("https://ksef-sandbox.example:8443/storage/batch/", opened.PartUploadRequests[0].Url.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetRebuildsFromEveryOptionTheSandboxStartedWith()
    {
        await using var small = new SandboxFixture { Configure = o => o.MaxInvoicesPerSession = 7 };
        await small.InitializeAsync();
        var nip = small.Store.Contexts[0].Nip;
        var large = small.Store.SessionsOf(nip).Max(s => s.Invoices.Count);
        (await small.Http.PostAsJsonAsync("sandbox/reset", new { seed = 7 }, Ct)).EnsureSuccessStatusCode();
        var client = await small.ClientAsync(small.Store.Contexts[0].Nip);
        Assert.Equal(7, (await client.Limits.GetContextLimitsAsync(Ct)).OnlineSession.MaxInvoices);
        Assert.Equal(large, small.Store.SessionsOf(small.Store.Contexts[0].Nip).Max(s => s.Invoices.Count));
    }
}
