using KsefGen.Runtime.Crypto;
using KsefGen.Runtime.Status;
using KsefGen.Runtime.Upo;
using Microsoft.Extensions.Logging;

namespace KsefGen.Runtime.Sending;

/// <summary>Settings of a <see cref="KsefSender"/>.</summary>
public sealed class KsefSenderOptions
{
    /// <summary>The API root; the HttpClient's BaseAddress when null.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The Ministry's public keys (share the authenticator's); the sender makes its own cache when null.</summary>
    public KsefPublicKeyCache? PublicKeys { get; set; }

    /// <summary>
    /// A plain client for the pre-signed storage links (batch part uploads, UPO downloads): no bearer token, no API base
    /// address. A shared client of the runtime when null.
    /// </summary>
    public HttpClient? Storage { get; set; }

    /// <summary>How sessions and invoices are polled (first after 1 s, then up to every 15 s, for 30 minutes).</summary>
    public KsefPollingOptions Polling { get; set; } = new()
    {
        Deadline = TimeSpan.FromMinutes(30),
        RetryAfter = Api.KsefRequestException.RateLimitWait,
    };

    /// <summary>How UPOs are downloaded (expiry skew, attempts).</summary>
    public UpoDownloaderOptions UpoDownload { get; set; } = new();

    /// <summary>Page size for a session's invoice list (10 to 1000).</summary>
    public int InvoicePageSize { get; set; } = 1000;

    /// <summary>Where each step, poll and retry is logged (Information level). Nothing is logged when null.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The clock; system clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
