using System.Net.Http.Json;
using System.Text.Json;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Tests.Client;
using KsefGen.Sandbox;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Runtime.Tests.Http;

/// <summary>The sandbox in-process on a free loopback port; real HTTP.</summary>
public sealed class RuntimeSandbox : IAsyncLifetime
{
    public const int LargeSession = 600;

    private WebApplication? _app;

    public Uri Root { get; private set; } = null!;

    public HttpClient Control { get; private set; } = null!;

    internal SandboxStore Store => _app!.Services.GetRequiredService<SandboxStore>();

    public async ValueTask InitializeAsync()
    {
        _app = SandboxApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
        {
            o.LargeSessionInvoices = LargeSession;
            o.RateLimits = false;
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Root = new Uri(address.TrimEnd('/') + "/");
        Control = new HttpClient { BaseAddress = Root };
    }

    public async ValueTask DisposeAsync()
    {
        Control?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

/// <summary>A generated client registered with AddKsefClient, against the sandbox, with and without injected faults.</summary>
public sealed class SandboxEndToEndTests(RuntimeSandbox sandbox) : IClassFixture<RuntimeSandbox>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        using var _ = await sandbox.Control.DeleteAsync("sandbox/faults", CancellationToken.None);
    }

    private async Task<(KsefClient Client, List<KsefRetryEvent> Retries, ServiceProvider Services, string Nip)> ClientAsync(int maxRetries)
    {
        var nip = sandbox.Store.Contexts[0].Nip;
        using var issued = await sandbox.Control.PostAsJsonAsync("sandbox/access-tokens", new { contextNip = nip }, Ct);
        issued.EnsureSuccessStatusCode();
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var access = new KsefToken(body.GetProperty("accessToken").GetString()!, body.GetProperty("validUntil").GetDateTimeOffset());

        var environment = KsefEnvironment.Custom(new Uri(sandbox.Root, "v2/"));
        var retries = new List<KsefRetryEvent>();
        var services = new ServiceCollection();
        services.AddSingleton<IKsefAccessTokenProvider>(new KsefTokenSession(sandbox.Control, environment, access, refreshToken: null));
        services.AddKsefClient<KsefClient>(o =>
        {
            o.Environment = environment;
            o.Retry.MaxRetryAttempts = maxRetries;
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
            o.Retry.OnRetry = e => { lock (retries) retries.Add(e); };
        });
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<KsefClient>(), retries, provider, nip);
    }

    private async Task InjectAsync(object rule)
    {
        using var response = await sandbox.Control.PostAsJsonAsync("sandbox/faults", rule, Ct);
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Calls_carry_the_token_and_problem_details_from_the_registration()
    {
        var (client, retries, services, nip) = await ClientAsync(maxRetries: 2);
        using var _ = services;
        var large = sandbox.Store.SessionsOf(nip).Single(s => s.Invoices.Count == RuntimeSandbox.LargeSession);

        var status = await client.SessionStatus.GetSessionStatusAsync(large.ReferenceNumber, Ct);
        Assert.Equal(RuntimeSandbox.LargeSession, status.InvoiceCount);

        // Not a valid session reference: the error body comes back as problem details because the header was sent.
        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync("20261120-SE-0000000000-0000000000-00", Ct));
        Assert.InRange((int)error.StatusCode, 400, 499);
        Assert.True(error.IsProblemDetails);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task Chaos_429_and_503_on_session_reads_every_item_exactly_once()
    {
        var (client, retries, services, nip) = await ClientAsync(maxRetries: 20);
        using var _ = services;
        var large = sandbox.Store.SessionsOf(nip).Single(s => s.Invoices.Count == RuntimeSandbox.LargeSession);
        await InjectAsync(new { method = "GET", path = "/v2/sessions/**", kind = "status", status = 429, probability = 0.3, retryAfterSeconds = 0 });
        await InjectAsync(new { method = "GET", path = "/v2/sessions/**", kind = "status", status = 503, probability = 0.3 });

        var ordinals = new List<int>();
        await foreach (var invoice in client.SessionStatus.EnumerateSessionInvoicesAsync(large.ReferenceNumber, pageSize: 50, cancellationToken: Ct))
        {
            ordinals.Add(invoice.OrdinalNumber);
        }
        var failed = new List<string>();
        await foreach (var invoice in client.SessionStatus.EnumerateSessionFailedInvoicesAsync(large.ReferenceNumber, pageSize: 10, cancellationToken: Ct))
        {
            failed.Add(invoice.ReferenceNumber);
        }

        Assert.Equal(Enumerable.Range(1, RuntimeSandbox.LargeSession), ordinals);
        var expectedFailed = large.Invoices.Where(i => i.IsFailed).Select(i => i.ReferenceNumber).ToList();
        Assert.NotEmpty(expectedFailed);
        Assert.Equal(expectedFailed, failed);
        // The faults did fire, and both kinds were retried.
        Assert.Contains(retries, r => r.StatusCode == System.Net.HttpStatusCode.TooManyRequests);
        Assert.Contains(retries, r => r.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable);
    }
}
