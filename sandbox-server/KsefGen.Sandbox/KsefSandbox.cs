using System.Security.Cryptography.X509Certificates;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace KsefGen.Sandbox;

/// <summary>
/// The sandbox started in-process, for tests: a fake KSeF 2.0 server on a free loopback port
/// (<c>http://127.0.0.1:PORT/v2/</c>), with seeded contexts, their KSeF tokens and the certificate it signs UPOs with.
/// Each instance has its own port and its own data; <see cref="DisposeAsync"/> stops it and frees the port.
/// </summary>
/// <example>
/// <code>
/// await using var sandbox = await KsefSandbox.StartAsync(o => o.RateLimits = false, cancellationToken);
/// using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
/// var certificates = await http.GetStringAsync("security/public-key-certificates", cancellationToken);
/// </code>
/// </example>
public sealed class KsefSandbox : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxStore _store;
    private int _disposed;

    private KsefSandbox(WebApplication app, Uri origin)
    {
        _app = app;
        _store = app.Services.GetRequiredService<SandboxStore>();
        Origin = origin;
        BaseAddress = new Uri(origin, "v2/");
        // Public part only: the private key stays with the sandbox's signer.
        UpoCertificate = X509Certificate2.CreateFromPem(app.Services.GetRequiredService<UpoService>().Signer.CertificatePem);
    }

    /// <summary>
    /// The API root with a trailing slash, <c>http://127.0.0.1:PORT/v2/</c>: an <see cref="HttpClient.BaseAddress"/>,
    /// or the URI for the runtime's <c>KsefEnvironment.Custom</c>.
    /// </summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// The origin with a trailing slash, <c>http://127.0.0.1:PORT/</c>: the control routes live under <c>sandbox/</c>
    /// (reset, access tokens, clock, forced statuses, faults), and clients that append <c>/v2</c> themselves (the
    /// Ministry's SDK) take this address.
    /// </summary>
    public Uri Origin { get; }

    /// <summary>
    /// The seeded taxpayer contexts in seeding order (at least two), each with its name and seeded KSeF token: what
    /// <c>GET /sandbox/contexts</c> lists for them. Read from the running sandbox on each call, so it follows a
    /// <c>POST /sandbox/reset</c> with another seed; contexts that appeared only through authentication are not included.
    /// </summary>
    public IReadOnlyList<KsefSandboxContext> Contexts
    {
        get
        {
            var contexts = new List<KsefSandboxContext>();
            foreach (var context in _store.Contexts)
            {
                if (!_store.IsSeeded(context.Nip)) continue;
                // The seeded token: the one nobody generated (tokens made through the API carry their author).
                var token = _store.KsefTokensOf(context.Nip).Where(t => t.Author is null).OrderBy(t => t.Created).FirstOrDefault();
                if (token is not null) contexts.Add(new KsefSandboxContext(context.Nip, context.Name, token.Token));
            }
            return contexts;
        }
    }

    /// <summary>The first seeded context (<c>Contexts[0]</c>): the one to use when a test needs just one.</summary>
    public KsefSandboxContext Context => Contexts[0];

    /// <summary>
    /// The certificate the sandbox signs every UPO with (public part only), to pin in a UPO verifier (the runtime's
    /// <c>UpoVerifierOptions.PinnedCertificates</c>). The same as the PEM from <c>GET /sandbox/upo-certificate</c>;
    /// disposed with the sandbox.
    /// </summary>
    public X509Certificate2 UpoCertificate { get; }

    /// <summary>The running application's services, for advanced use.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Builds and starts a sandbox on a free port of 127.0.0.1, logging warnings and errors only. The seed is fixed
    /// (<see cref="SandboxOptions.Seed"/>), so every start has the same contexts, sessions and invoices.
    /// </summary>
    /// <param name="configure">Changes the options before the sandbox starts (seed, contexts, delays, rate limits ...).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running sandbox; dispose it to stop it.</returns>
    public static async Task<KsefSandbox> StartAsync(Action<SandboxOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        // No file watcher on the content root's appsettings.json: many sandboxes in one test run would each hold one.
        var app = SandboxApp.Build(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--hostBuilder:reloadConfigOnChange=false"],
            configure);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("The sandbox started but reports no address.");
            return new KsefSandbox(app, new Uri(address.TrimEnd('/') + "/"));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// An FA(3) invoice this sandbox accepts (status 200) when <paramref name="sellerNip"/> sends it: one line at 23%
    /// VAT to a fixed buyer, issued today by the sandbox's clock (Polish calendar day) unless
    /// <paramref name="issueDate"/> says otherwise — an earlier day makes it an offline invoice, as on KSeF. Each
    /// invoice number may be accepted once per seller; sending it again is a duplicate (440).
    /// </summary>
    /// <param name="sellerNip">The seller (Podmiot1), which must be the context that sends it.</param>
    /// <param name="invoiceNumber">The invoice number (P_2).</param>
    /// <param name="issueDate">The issue date (P_1); today when null.</param>
    /// <returns>The invoice XML, UTF-8.</returns>
    public byte[] SampleInvoice(string sellerNip, string invoiceNumber, DateOnly? issueDate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sellerNip);
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceNumber);
        var now = _app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var seller = _store.Contexts.FirstOrDefault(c => c.Nip == sellerNip)?.Name ?? "Sprzedawca " + sellerNip;
        var facts = new InvoiceFacts(sellerNip, seller, new InvoiceParty("Nip", "5265877635", "Nabywca Sp. z o.o."), [], null,
            issueDate ?? InvoiceChecks.PolishDay(now), invoiceNumber, 100m, 23m, 123m, "PLN", "Vat", "FA (3)", "1-0E", "FA",
            IsSelfInvoicing: false, HasAttachment: false);
        return SeededInvoices.Document(facts, now);
    }

    /// <summary>Stops the sandbox and frees its port; a second call does nothing.</summary>
    /// <returns>A task that completes when the sandbox has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            UpoCertificate.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"KSeF sandbox at {BaseAddress}";
}

/// <summary>A seeded taxpayer context of a <see cref="KsefSandbox"/>.</summary>
/// <param name="Nip">The context's NIP (checksum-valid, made up by the seed).</param>
/// <param name="Name">The company name the seed gave it.</param>
/// <param name="KsefToken">Its seeded KSeF token, for <c>POST /v2/auth/ksef-token</c> (the runtime's <c>AuthenticateWithKsefToken</c>).</param>
public sealed record KsefSandboxContext(string Nip, string Name, string KsefToken);
