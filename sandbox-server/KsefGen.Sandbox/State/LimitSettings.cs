using System.Collections.Concurrent;

namespace KsefGen.Sandbox.State;

/// <summary>Session limits of a context: invoice size (MB, without and with attachments) and invoices per session.</summary>
internal sealed record SessionLimits(int MaxInvoiceSizeInMB, int MaxInvoiceWithAttachmentSizeInMB, int MaxInvoices);

/// <summary>Requests per second, minute and hour.</summary>
internal sealed record RateValues(int PerSecond, int PerMinute, int PerHour);

/// <summary>
/// The limits test data may change (POST /testdata/limits/*, /testdata/rate-limits): per context the session limits and
/// the rate-limit budgets, per subject the certificate limits. What is not set has the documented defaults.
/// </summary>
internal sealed class LimitSettings
{
    /// <summary>The rate-limit budgets KSeF groups operations into, with their documented defaults (limity-api.md), in the order of EffectiveApiRateLimits.</summary>
    public static readonly IReadOnlyDictionary<string, RateValues> DefaultRates = new Dictionary<string, RateValues>(StringComparer.Ordinal)
    {
        ["onlineSession"] = new(10, 30, 120),
        ["batchSession"] = new(10, 20, 60),
        ["invoiceSend"] = new(10, 30, 180),
        ["invoiceStatus"] = new(30, 120, 1200),
        ["sessionList"] = new(5, 10, 60),
        ["sessionInvoiceList"] = new(10, 20, 200),
        ["sessionMisc"] = new(10, 120, 1200),
        ["invoiceMetadata"] = new(8, 16, 20),
        ["invoiceExport"] = new(8, 16, 20),
        ["invoiceExportStatus"] = new(10, 60, 600),
        ["invoiceDownload"] = new(8, 16, 64),
        ["other"] = new(10, 30, 120),
    };

    /// <summary>Session limits of a context nobody changed (limity.md: 1 MB, 3 MB with attachments, the session maximum).</summary>
    public SessionLimits DefaultSession { get; }

    private readonly ConcurrentDictionary<string, (SessionLimits Online, SessionLimits Batch)> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, RateValues>> _rates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SubjectIdentifier, (int Certificates, int Enrollments)> _subjects = new();

    /// <summary>The defaults of this sandbox: <see cref="DefaultRates"/> times <see cref="RateScale"/>.</summary>
    private readonly IReadOnlyDictionary<string, RateValues> _defaultRates;

    /// <summary>Creates the settings with the session maximum and the rate-limit scale of the sandbox options (SandboxApp.Build checks it is 1 or more).</summary>
    public LimitSettings(int maxInvoicesPerSession, int rateScale = 1)
    {
        DefaultSession = new SessionLimits(1, 3, maxInvoicesPerSession);
        RateScale = rateScale;
        _defaultRates = rateScale == 1
            ? DefaultRates
            : DefaultRates.ToDictionary(p => p.Key, p => new RateValues(p.Value.PerSecond * rateScale, p.Value.PerMinute * rateScale, p.Value.PerHour * rateScale), StringComparer.Ordinal);
    }

    /// <summary>How many times production's budgets a context has until test data sets its own (SandboxOptions.RateLimitScale).</summary>
    public int RateScale { get; }

    /// <summary>The session limits of a context.</summary>
    public (SessionLimits Online, SessionLimits Batch) SessionsOf(string contextNip) =>
        _sessions.TryGetValue(contextNip, out var set) ? set : (DefaultSession, DefaultSession);

    /// <summary>Changes a context's session limits.</summary>
    public void SetSessions(string contextNip, SessionLimits online, SessionLimits batch) => _sessions[contextNip] = (online, batch);

    /// <summary>Restores a context's default session limits.</summary>
    public void RestoreSessions(string contextNip) => _sessions.TryRemove(contextNip, out _);

    /// <summary>The rate-limit budgets of a context (the defaults unless test data changed them).</summary>
    public IReadOnlyDictionary<string, RateValues> RatesOf(string contextNip) => _rates.TryGetValue(contextNip, out var set) ? set : _defaultRates;

    /// <summary>The budgets test data set for a context, or null when it uses the defaults.</summary>
    public IReadOnlyDictionary<string, RateValues>? RateOverrideOf(string contextNip) => _rates.TryGetValue(contextNip, out var set) ? set : null;

    /// <summary>Changes a context's budgets.</summary>
    public void SetRates(string contextNip, IReadOnlyDictionary<string, RateValues> rates) => _rates[contextNip] = rates;

    /// <summary>Restores a context's default budgets.</summary>
    public void RestoreRates(string contextNip) => _rates.TryRemove(contextNip, out _);

    /// <summary>The certificate and enrollment limits of a subject (limity.md: NIP 100/300, PESEL and fingerprint 6/12).</summary>
    public (int Certificates, int Enrollments) CertificatesOf(SubjectIdentifier subject) =>
        _subjects.TryGetValue(subject, out var set) ? set : subject.Type == "Nip" ? (100, 300) : (6, 12);

    /// <summary>Changes a subject's certificate limits.</summary>
    public void SetCertificates(SubjectIdentifier subject, int certificates, int enrollments) => _subjects[subject] = (certificates, enrollments);

    /// <summary>Restores a subject's default certificate limits.</summary>
    public void RestoreCertificates(SubjectIdentifier subject) => _subjects.TryRemove(subject, out _);

    /// <summary>
    /// The budget an operation counts against ("GET /sessions" → sessionList), as limity-api.md groups them; null for the
    /// authentication and public-key operations, which have limits of their own.
    /// </summary>
    public static string? GroupOf(string operation) => operation switch
    {
        "POST /sessions/online" or "POST /sessions/online/{referenceNumber}/close" => "onlineSession",
        "POST /sessions/online/{referenceNumber}/invoices" => "invoiceSend",
        "POST /sessions/batch" or "POST /sessions/batch/{referenceNumber}/close" => "batchSession",
        "GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}" => "invoiceStatus",
        "GET /sessions" => "sessionList",
        "GET /sessions/{referenceNumber}/invoices" or "GET /sessions/{referenceNumber}/invoices/failed" => "sessionInvoiceList",
        _ when operation.StartsWith("GET /sessions/", StringComparison.Ordinal) => "sessionMisc",
        "POST /invoices/query/metadata" => "invoiceMetadata",
        "POST /invoices/exports" => "invoiceExport",
        "GET /invoices/exports/{referenceNumber}" => "invoiceExportStatus",
        "GET /invoices/ksef/{ksefNumber}" => "invoiceDownload",
        _ when operation.Contains(" /auth/", StringComparison.Ordinal) && !operation.Contains("/auth/sessions", StringComparison.Ordinal) => null,
        _ when operation.Contains("/security/", StringComparison.Ordinal) || operation.Contains("/testdata/", StringComparison.Ordinal) => null,
        _ => "other",
    };
}
