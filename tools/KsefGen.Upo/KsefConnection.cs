using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Sending;
using KsefGen.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Upo;

/// <summary>How the tool reaches KSeF: the API root, the context and its credentials.</summary>
internal sealed record KsefCredentials(Uri ApiRoot, string Nip, string? KsefToken, X509Certificate2? Certificate);

/// <summary>
/// A <see cref="KsefSender"/> on the runtime's pipeline (<c>AddKsefClient</c>: authentication, token refresh, KSeF-aware
/// retries with 429 waits reported to the caller), and a plain client for the pre-signed UPO links.
/// </summary>
internal sealed class KsefConnection : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly HttpClient _storage;

    public KsefConnection(KsefCredentials credentials, Action<KsefRetryEvent>? onRetry, Func<HttpMessageHandler>? primaryHandler = null)
    {
        _storage = new HttpClient(primaryHandler?.Invoke() ?? new HttpClientHandler(), disposeHandler: true);
        var services = new ServiceCollection();
        var builder = services.AddKsefClient<KsefApi>(o =>
        {
            o.Environment = KsefEnvironment.Custom(credentials.ApiRoot);
            var context = KsefContextIdentifier.Nip(credentials.Nip);
            if (credentials.KsefToken is { } token) o.AuthenticateWithKsefToken(context, token);
            else if (credentials.Certificate is { } certificate) AuthenticateWithCertificate(o, context, certificate);
            else throw new ArgumentException("Give --ksef-token or --certificate.");
            o.Retry.OnRetry = onRetry;
            o.Sending.Storage = _storage;
            o.Sending.InvoicePageSize = 1000;
        });
        if (primaryHandler is not null) builder.ConfigurePrimaryHttpMessageHandler(primaryHandler);
        _services = services.BuildServiceProvider();
        Sender = _services.GetRequiredService<KsefSender>();
    }

    public KsefSender Sender { get; }

    public void Dispose()
    {
        _services.Dispose();
        _storage.Dispose();
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The tool is not trimmed.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The tool is not compiled ahead of time.")]
    private static void AuthenticateWithCertificate(KsefClientOptions options, KsefContextIdentifier context, X509Certificate2 certificate) =>
        options.AuthenticateWithCertificate(context, certificate);

    /// <summary>The client type the registration needs; the tool talks through the sender only.</summary>
    private sealed class KsefApi(HttpClient http)
    {
        public HttpClient Http { get; } = http;
    }
}

/// <summary>The KsefGen sandbox started in-process on a free loopback port, with a seeded context and its KSeF token.</summary>
internal sealed class EmbeddedSandbox : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedSandbox(WebApplication app, Uri root, string nip, string token, X509Certificate2 upoCertificate)
    {
        _app = app;
        Root = root;
        Nip = nip;
        KsefToken = token;
        UpoCertificate = upoCertificate;
    }

    /// <summary>The running sandbox's services (its store, for tests).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The sandbox's origin (the API is under v2/).</summary>
    public Uri Root { get; }

    public Uri ApiRoot => new(Root, "v2/");

    public string Nip { get; }

    public string KsefToken { get; }

    /// <summary>The certificate the sandbox signs UPOs with.</summary>
    public X509Certificate2 UpoCertificate { get; }

    /// <summary>Starts the sandbox; <paramref name="nip"/> picks a seeded context (the first one when null).</summary>
    public static async Task<EmbeddedSandbox> StartAsync(string? nip, Action<SandboxOptions>? configure, CancellationToken cancellationToken)
    {
        var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], configure);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var root = new Uri(address.TrimEnd('/') + "/");
            using var http = new HttpClient { BaseAddress = root };
            var contexts = await http.GetFromJsonAsync<List<SeededContext>>("sandbox/contexts", cancellationToken).ConfigureAwait(false) ?? [];
            var context = contexts.Where(c => c.KsefToken is not null).FirstOrDefault(c => nip is null || c.Nip == nip)
                ?? throw new ArgumentException($"The sandbox has no seeded context {nip} with a KSeF token; seeded: {string.Join(", ", contexts.Where(c => c.KsefToken is not null).Select(c => c.Nip))}.");
            var pem = await http.GetStringAsync(new Uri("sandbox/upo-certificate", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return new EmbeddedSandbox(app, root, context.Nip, context.KsefToken!, X509Certificate2.CreateFromPem(pem));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What GET /sandbox/contexts says about a context (the sandbox's own types are internal to it).</summary>
    private sealed record SeededContext(string Nip, string? KsefToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        UpoCertificate.Dispose();
    }
}
