using KsefGen.Runtime.Crypto;
using KsefGen.Runtime.Status;
using Microsoft.Extensions.Logging;

namespace KsefGen.Runtime.Auth;

/// <summary>Settings of a <see cref="KsefAuthenticator"/>.</summary>
public sealed class KsefAuthenticatorOptions
{
    /// <summary>The API root (e.g. <c>KsefEnvironment.Test.BaseAddress</c>); the HttpClient's BaseAddress when null.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The Ministry's public keys; share one cache per environment (the authenticator makes its own when null). Sending
    /// uses the same certificates, so pass the same instance to <c>KsefSender</c>.
    /// </summary>
    public KsefPublicKeyCache? PublicKeys { get; set; }

    /// <summary>How the authentication status is polled (first poll after 0.5 s, at most every 5 s, for 2 minutes).</summary>
    public KsefPollingOptions Polling { get; set; } = new()
    {
        InitialInterval = TimeSpan.FromMilliseconds(500),
        MaxInterval = TimeSpan.FromSeconds(5),
        Deadline = TimeSpan.FromMinutes(2),
        RetryAfter = Api.KsefRequestException.RateLimitWait,
    };

    /// <summary>The clock (token expiry, signing time, key validity). System clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where each step, poll and key fetch is logged (Information level). Nothing is logged when null.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Told after every status poll while the caller waits.</summary>
    public IProgress<KsefPollingProgress>? Progress { get; set; }

    /// <summary>
    /// IPv4 addresses, ranges (<c>a-b</c>) or masks (<c>a/n</c>) the issued tokens may be used from
    /// (<c>authorizationPolicy.allowedIps</c>); no restriction when empty.
    /// </summary>
    public IList<string> AllowedIps { get; } = [];

    /// <summary>XAdES only: ask KSeF to verify the certificate chain (<c>verifyCertificateChain</c>); the server's default when null.</summary>
    public bool? VerifyCertificateChain { get; set; }
}
