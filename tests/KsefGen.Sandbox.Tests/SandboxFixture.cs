using System.Net.Http.Json;
using KsefGen.Sandbox;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Tests.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// The sandbox in-process on a free loopback port, over real HTTP. Exposes the base address, a plain HttpClient,
/// the store and the clock, and hands out generated clients authenticated for a context.
/// </summary>
public class SandboxFixture : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The invoices in each context's large batch session (small enough to keep tests fast, many pages all the same).</summary>
    public const int LargeSession = 2500;

    /// <summary>The UPO link lifetime for this instance.</summary>
    public TimeSpan UpoLinkLifetime { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Documents per session UPO page for this instance.</summary>
    public int UpoPageSize { get; init; } = 10_000;

    /// <summary>Whether this instance enforces x-rate-limits (off for the shared fixture: tests make many calls quickly).</summary>
    public bool RateLimits { get; init; }

    /// <summary>Extra settings for this instance.</summary>
    public Action<SandboxOptions>? Configure { get; init; }

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    internal SandboxStore Store => _app!.Services.GetRequiredService<SandboxStore>();

    internal SandboxClock Clock => _app!.Services.GetRequiredService<SandboxClock>();

    /// <summary>Any service of the running sandbox.</summary>
    public T Service<T>() where T : notnull => _app!.Services.GetRequiredService<T>();

    /// <summary>The running application's services (routes, options, state).</summary>
    public IServiceProvider Services => _app!.Services;

    public async ValueTask InitializeAsync()
    {
        _app = SandboxApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
        {
            o.LargeSessionInvoices = LargeSession;
            o.UpoLinkLifetime = UpoLinkLifetime;
            o.UpoPageSize = UpoPageSize;
            o.RateLimits = RateLimits;
            // Work "later" happens only when a test moves the virtual clock, so nothing depends on real time.
            o.ProcessingDelay = TimeSpan.FromSeconds(10);
            o.AuthenticationDelay = TimeSpan.FromSeconds(1);
            Configure?.Invoke(o);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>An access token for a context through the CI shortcut.</summary>
    public async Task<string> AccessTokenAsync(string contextNip)
    {
        using var response = await Http.PostAsJsonAsync("sandbox/access-tokens", new { contextNip }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken);
        return body.GetProperty("accessToken").GetString()!;
    }

    /// <summary>
    /// A generated client acting for a context, with optional extra headers. An <paramref name="observer"/> (a fresh,
    /// unused handler) sits between the bearer handler and the network: it sees every request as sent and every response.
    /// </summary>
    public async Task<KsefClient> ClientAsync(string contextNip, bool problemDetails = false, DelegatingHandler? observer = null)
    {
        HttpMessageHandler network = new HttpClientHandler();
        if (observer is not null)
        {
            observer.InnerHandler = network;
            network = observer;
        }
        var handler = new BearerHandler(await AccessTokenAsync(contextNip), problemDetails) { InnerHandler = network };
        return new KsefClient(new HttpClient(handler) { BaseAddress = new Uri(BaseAddress, "v2/") });
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class BearerHandler(string token, bool problemDetails) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            if (problemDetails) request.Headers.TryAddWithoutValidation("X-Error-Format", "problem-details");
            return base.SendAsync(request, cancellationToken);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}
