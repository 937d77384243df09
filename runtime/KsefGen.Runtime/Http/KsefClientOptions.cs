namespace KsefGen.Runtime.Http;

/// <summary>Settings for a KSeF client registered with <see cref="Microsoft.Extensions.DependencyInjection.KsefHttpClientBuilderExtensions.AddKsefClient{TClient}(Microsoft.Extensions.DependencyInjection.IServiceCollection, System.Action{KsefClientOptions})"/>.</summary>
public sealed class KsefClientOptions
{
    /// <summary>Where the client talks to; the test environment unless set.</summary>
    public KsefEnvironment Environment { get; set; } = KsefEnvironment.Test;

    /// <summary>Shortcut for <see cref="Environment"/> = <see cref="KsefEnvironment.Custom"/>(value).</summary>
    public Uri BaseAddress
    {
        get => Environment.BaseAddress;
        set => Environment = KsefEnvironment.Custom(value);
    }

    /// <summary>
    /// Whether every request carries <c>X-Error-Format: problem-details</c>, asking KSeF for RFC 9457 error bodies
    /// (default true).
    /// </summary>
    public bool ProblemDetails { get; set; } = true;

    /// <summary>How failed calls are retried.</summary>
    public KsefRetryOptions Retry { get; } = new();

    /// <summary>
    /// Where bearer tokens come from. When null, an <see cref="IKsefAccessTokenProvider"/> registered in the service
    /// collection is used if there is one; otherwise requests go without a token (enough for the auth flow's first
    /// steps and public-key certificates).
    /// </summary>
    public Func<IServiceProvider, IKsefAccessTokenProvider>? AccessTokenProvider { get; set; }

    /// <summary>
    /// The clock for retry delays. When null, a <see cref="TimeProvider"/> registered in the service collection, else
    /// the system clock.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Authenticates by itself with a KSeF token in <paramref name="context"/> on the first call, and again whenever the
    /// tokens can no longer be refreshed (<see cref="KsefAuthenticatedTokens"/>). One client registration per context.
    /// </summary>
    /// <param name="context">The context to act in (e.g. <c>KsefContextIdentifier.Nip("5265877635")</c>).</param>
    /// <param name="ksefToken">The KSeF token.</param>
    /// <returns>These options.</returns>
    public KsefClientOptions AuthenticateWithKsefToken(KsefGen.Runtime.Auth.KsefContextIdentifier context, string ksefToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ksefToken);
        Authenticate = (authenticator, ct) => authenticator.AuthenticateWithKsefTokenAsync(context, ksefToken, ct);
        return this;
    }

    /// <summary>
    /// Authenticates by itself with a certificate (XAdES) in <paramref name="context"/> on the first call, and again
    /// whenever the tokens can no longer be refreshed.
    /// </summary>
    /// <param name="context">The context to act in.</param>
    /// <param name="certificate">The signing certificate with its private key.</param>
    /// <returns>These options.</returns>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("XML signing (SignedXml) creates algorithm types by reflection.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("XML signing (SignedXml) creates algorithm types by reflection.")]
    public KsefClientOptions AuthenticateWithCertificate(KsefGen.Runtime.Auth.KsefContextIdentifier context, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Authenticate = (authenticator, ct) => authenticator.AuthenticateWithCertificateAsync(context, certificate, KsefGen.Runtime.Auth.KsefSubjectIdentifierType.CertificateSubject, ct);
        return this;
    }

    /// <summary>
    /// How the registration authenticates by itself (see <see cref="AuthenticateWithKsefToken"/>); any flow of a
    /// <see cref="KsefGen.Runtime.Auth.KsefAuthenticator"/>, given the registration's own authenticator.
    /// </summary>
    public Func<KsefGen.Runtime.Auth.KsefAuthenticator, CancellationToken, Task<KsefTokenSession>>? Authenticate { get; set; }

    /// <summary>Settings of the authenticator used by <see cref="Authenticate"/> (polling, allowed IPs, logger).</summary>
    public KsefGen.Runtime.Auth.KsefAuthenticatorOptions Authentication { get; } = new();

    /// <summary>Settings of the <see cref="KsefGen.Runtime.Sending.KsefSender"/> registered with the client.</summary>
    public KsefGen.Runtime.Sending.KsefSenderOptions Sending { get; } = new();

    /// <summary>Sets <see cref="AccessTokenProvider"/> to one fixed instance.</summary>
    /// <param name="provider">The provider every request asks for a token.</param>
    /// <returns>These options.</returns>
    public KsefClientOptions UseAccessTokens(IKsefAccessTokenProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        AccessTokenProvider = _ => provider;
        return this;
    }
}

/// <summary>
/// How a KSeF client retries. A 429 is retried for any method (the request was not processed), waiting as long as its
/// <c>Retry-After</c> asks; 500, 502, 503, 504, HTML error pages and transport failures or timeouts are retried only
/// for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE), never for POST.
/// </summary>
public sealed class KsefRetryOptions
{
    /// <summary>Retries after the first attempt (default 4; 0 turns retrying off).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first backoff delay when the server gave no <c>Retry-After</c> (default 1 s); it doubles each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay (default 30 s).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest <c>Retry-After</c> honoured (default 2 min). A 429 asking for longer is returned to the caller
    /// rather than waited on.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A limit on each attempt (default none: only <see cref="HttpClient.Timeout"/> bounds the whole call). An attempt
    /// that runs out is retried for idempotent methods only.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>Whether backoff delays are jittered (default true).</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Called before each retry with what failed and how long the client will wait; for logging or metrics.</summary>
    public Action<KsefRetryEvent>? OnRetry { get; set; }
}

/// <summary>One retry about to happen.</summary>
/// <param name="Method">The request method.</param>
/// <param name="RequestUri">The request address.</param>
/// <param name="StatusCode">The status that caused the retry, or null for a transport failure or timeout.</param>
/// <param name="Exception">The transport failure or timeout, if that was the cause.</param>
/// <param name="AttemptNumber">The failed attempt, from 0.</param>
/// <param name="Delay">The wait before the next attempt.</param>
public sealed record KsefRetryEvent(
    HttpMethod Method,
    Uri? RequestUri,
    System.Net.HttpStatusCode? StatusCode,
    Exception? Exception,
    int AttemptNumber,
    TimeSpan Delay);
