using System.Net.Http.Json;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KsefGen.Sandbox.Bench;

/// <summary>The sandbox, built exactly as its Program builds it, on a free loopback port in this process.</summary>
internal sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public SandboxStore Store => _app.Services.GetRequiredService<SandboxStore>();

    public static async Task<SandboxServer> StartAsync(int largeSession, CancellationToken cancellationToken)
    {
        // Only what the bench needs differs from a plain start: the port, the size of the large session, and a token
        // lifetime that outlasts a long run. Logging stays as the sandbox configures it, since its cost is part of a request.
        var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.LargeSessionInvoices = largeSession;
            // The bench measures the handlers, not the 429s the official limits would give 32 busy connections.
            o.RateLimits = false;
            o.AccessTokenLifetime = TimeSpan.FromDays(1);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _ = app.Services.GetRequiredService<SandboxStore>(); // seed before measuring anything
        return new SandboxServer(app, AddressOf(app));
    }

    /// <summary>A bearer token for a context through the CI shortcut.</summary>
    public async Task<string> AccessTokenAsync(string nip, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Address };
        using var response = await client.PostAsJsonAsync("sandbox/access-tokens", new { contextNip = nip }, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken).ConfigureAwait(false);
        return body.GetProperty("accessToken").GetString()!;
    }

    internal static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// The floor to compare with: a minimal-API app with one route per scenario that returns a canned body (the sandbox's
/// own response, captured once) with the sandbox's content type. It gets the same requests, bearer token and continuation
/// token included, and ignores them: no authentication, no work. Logging as an ASP.NET Core
/// template configures it (Microsoft.AspNetCore at Warning).
/// </summary>
internal sealed class BareServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareServer(WebApplication app)
    {
        _app = app;
        Address = SandboxServer.AddressOf(app);
    }

    public Uri Address { get; }

    public static async Task<BareServer> StartAsync(IReadOnlyList<(byte[] Body, string ContentType)> bodies, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var app = builder.Build();
        for (var i = 0; i < bodies.Count; i++)
        {
            var (body, contentType) = bodies[i];
            app.MapGet($"/bare/{i}", () => Results.Bytes(body, contentType));
        }
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new BareServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
