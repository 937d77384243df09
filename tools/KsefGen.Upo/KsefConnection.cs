using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Sending;
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
