namespace KsefGen.Sandbox;

/// <summary>Settings of the sandbox, from the command line (--Sandbox:Seed=7) or appsettings ("Sandbox" section).</summary>
public sealed class SandboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Sandbox";

    /// <summary>The seed: the same seed gives the same data on every start.</summary>
    public int Seed { get; set; } = 20261122;

    /// <summary>How many taxpayer contexts (NIPs) to seed; at least two.</summary>
    public int Contexts { get; set; } = 2;

    /// <summary>How many invoices the large batch session of each context holds (enough for many pages).</summary>
    public int LargeSessionInvoices { get; set; } = 3000;

    /// <summary>How long an access token from /sandbox/access-tokens stays valid.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a UPO download link stays valid (the official links live for days; tests use seconds).</summary>
    public TimeSpan UpoLinkLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How many documents one session UPO page holds (10,000 officially).</summary>
    public int UpoPageSize { get; set; } = 10_000;

    /// <summary>How long an authentication takes to reach its final status after /auth/ksef-token or /auth/xades-signature.</summary>
    public TimeSpan AuthenticationDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a refresh token stays valid (KSeF: up to 7 days).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a sent invoice takes from 100 to its final status (150 is reached half-way), and a closed session from
    /// 170/150 to its final status once its invoices are final.
    /// </summary>
    public TimeSpan ProcessingDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an online session stays open before it closes itself (KSeF: 12 h).</summary>
    public TimeSpan OnlineSessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long a batch part upload link stays valid, per declared part (KSeF: 20 min × parts).</summary>
    public TimeSpan PartUploadWindowPerPart { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>At most this many invoices in one session (KSeF: 10,000).</summary>
    public int MaxInvoicesPerSession { get; set; } = 10_000;

    /// <summary>
    /// The technical limit of invoice retrieval: records per filter set in /invoices/query/metadata (isTruncated past
    /// it) and invoices per export package (KSeF: 10,000 each).
    /// </summary>
    public int InvoiceQueryLimit { get; set; } = 10_000;

    /// <summary>How far the permanent-storage high-water mark trails the clock (invoices newer than it are visible but not yet "complete").</summary>
    public TimeSpan PermanentStorageHwmLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest (unencrypted) part of an export package (KSeF: 50 MB).</summary>
    public int ExportPartSize { get; set; } = 50 * 1024 * 1024;

    /// <summary>How long an export part download link stays valid (KSeF's example: one hour).</summary>
    public TimeSpan ExportLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a finished export package can be downloaded before its status turns 210 (the docs give no figure).</summary>
    public TimeSpan ExportPackageLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Enforce the per-operation x-rate-limits of the spec per context (429 with Retry-After).</summary>
    public bool RateLimits { get; set; } = true;

    /// <summary>
    /// Multiplies the default request budgets: the limits enforced and what <c>GET /rate-limits</c> reports. 1 (the
    /// default) is production's values, which KSeF TEST has used since API 2.5.0; 10 is TEST before that. Clients that
    /// pace themselves from <c>GET /rate-limits</c> (the official SDK's test helpers do, counting export status polls
    /// against the 20 an hour of <c>invoiceExport</c>) may need more than production gives. Budgets set through
    /// <c>/testdata/rate-limits</c> apply exactly as given, and <c>/testdata/rate-limits/production</c> sets production's.
    /// </summary>
    public int RateLimitScale { get; set; } = 1;

    /// <summary>Latency added to every /v2 and storage request (to make timeouts and progress visible).</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>How many requests GET /sandbox/requests keeps (newest first).</summary>
    public int RequestLogSize { get; set; } = 1000;

    /// <summary>The secret behind access tokens and continuation tokens (random per start when empty).</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// The origin storage links (UPO downloads, batch part uploads, export parts) are built on, e.g.
    /// "https://ksef-sandbox.example:8443" behind a proxy or "http://sandbox:5080" for a container name. Empty: the
    /// scheme and host of the request that asked for the link.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>A copy of these options with another seed (for a reset).</summary>
    public SandboxOptions WithSeed(int seed)
    {
        var copy = (SandboxOptions)MemberwiseClone();
        copy.Seed = seed;
        return copy;
    }

    /// <summary>"scheme://host" for links handed out in answer to <paramref name="request"/> (no trailing slash).</summary>
    public string PublicOrigin(HttpRequest request) =>
        string.IsNullOrWhiteSpace(PublicBaseUrl) ? $"{request.Scheme}://{request.Host}" : PublicBaseUrl.TrimEnd('/');
}
