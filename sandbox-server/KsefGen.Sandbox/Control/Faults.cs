using System.Text.RegularExpressions;
using KsefGen.Sandbox.Api;

namespace KsefGen.Sandbox.Control;

/// <summary>
/// A fault to inject: for requests matching <see cref="Method"/> and <see cref="Path"/>, answer with a status (429 in
/// KSeF's shape with Retry-After, any 5xx as problem details), an HTML error page (as KSeF TEST's gateway sends at
/// times, also on storage links), or add latency and then serve normally.
/// </summary>
internal sealed class FaultRule
{
    /// <summary>Assigned by the sandbox.</summary>
    public string? Id { get; set; }

    /// <summary>GET, POST ... or null for any method.</summary>
    public string? Method { get; set; }

    /// <summary>The path pattern: '*' matches within one segment, '**' across segments, e.g. "/v2/sessions/**" or "/storage/upo/*".</summary>
    public string Path { get; set; } = "/**";

    /// <summary>"status", "html" or "latency".</summary>
    public string Kind { get; set; } = "status";

    /// <summary>The status to answer (status: 429, 500, 503 ...; html: 502 by default, 200 to imitate a page served in place of a file).</summary>
    public int? Status { get; set; }

    /// <summary>For 429: the Retry-After seconds (1 by default).</summary>
    public int? RetryAfterSeconds { get; set; }

    /// <summary>For latency: milliseconds to wait before serving.</summary>
    public int? DelayMs { get; set; }

    /// <summary>The share of matching requests affected, 0..1 (1 by default).</summary>
    public double Probability { get; set; } = 1;

    /// <summary>How many more times the rule fires (null: until removed).</summary>
    public int? Times { get; set; }

    /// <summary>How many times it has fired.</summary>
    public int Fired { get; set; }
}

/// <summary>The injected faults, and the middleware that applies them.</summary>
internal sealed class Faults
{
    /// <summary>The HttpContext item naming the fault that answered a request.</summary>
    public const string AppliedKey = "sandbox.fault";

    private readonly Lock _gate = new();
    private readonly List<(FaultRule Rule, Regex Pattern)> _rules = [];

    // How many rules there are, written under the lock whenever they change: a request with none to match (the usual
    // case) passes without taking the lock every request would otherwise queue on.
    private volatile int _ruleCount;
    private readonly Random _random;
    private int _nextId;

    /// <summary>Creates the fault list; the random choices follow the seed, so a single-threaded run repeats exactly.</summary>
    public Faults(SandboxOptions options) => _random = new Random(options.Seed);

    /// <summary>The rules now in force.</summary>
    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate) return _rules.Select(r => r.Rule).ToList();
        }
    }

    /// <summary>Checks and adds a rule; the error text when it is not valid.</summary>
    public string? Add(FaultRule rule)
    {
        rule.Kind = (rule.Kind ?? "").Trim().ToLowerInvariant();
        if (rule.Kind is not ("status" or "html" or "latency")) return "kind must be status, html or latency.";
        if (string.IsNullOrWhiteSpace(rule.Path) || !rule.Path.StartsWith('/')) return "path must start with '/'.";
        if (rule.Kind == "status" && rule.Status is not (429 or (>= 500 and <= 599))) return "status must be 429 or 5xx for kind status.";
        if (rule.Kind == "html" && rule.Status is { } html && (html < 200 || html > 599)) return "status must be 200..599 for kind html.";
        if (rule.Kind == "latency" && rule.DelayMs is not (> 0 and <= 120_000)) return "delayMs must be 1..120000 for kind latency.";
        if (rule.Probability is < 0 or > 1 || double.IsNaN(rule.Probability)) return "probability must be between 0 and 1.";
        if (rule.Times is < 1) return "times must be at least 1 when given.";
        if (rule.RetryAfterSeconds is < 0 or > 86_400) return "retryAfterSeconds must be 0..86400.";
        var pattern = new Regex("^" + Regex.Escape(rule.Path).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        lock (_gate)
        {
            rule.Id = "f" + (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _rules.Add((rule, pattern));
            _ruleCount = _rules.Count;
        }
        return null;
    }

    /// <summary>Removes one rule (false when there is none with that id) or, with null, all.</summary>
    public bool Remove(string? id)
    {
        lock (_gate)
        {
            if (id is null)
            {
                _rules.Clear();
                _ruleCount = 0;
                return true;
            }
            var removed = _rules.RemoveAll(r => r.Rule.Id == id) > 0;
            _ruleCount = _rules.Count;
            return removed;
        }
    }

    /// <summary>The middleware: routes under /sandbox are never faulted, so a test can always switch faults off.</summary>
    public Task InvokeAsync(HttpContext http, Func<Task> next) => _ruleCount == 0 ? next() : MatchAsync(http, next);

    private async Task MatchAsync(HttpContext http, Func<Task> next)
    {
        var path = http.Request.Path.Value ?? "/";
        FaultRule? hit = null;
        if (!path.StartsWith("/sandbox", StringComparison.OrdinalIgnoreCase))
        {
            lock (_gate)
            {
                foreach (var (rule, pattern) in _rules)
                {
                    if (rule.Method is { } method && !string.Equals(method, http.Request.Method, StringComparison.OrdinalIgnoreCase)) continue;
                    if (!pattern.IsMatch(path)) continue;
                    if (rule.Probability < 1 && _random.NextDouble() >= rule.Probability) continue;
                    hit = rule;
                    rule.Fired++;
                    if (rule.Times is { } times && rule.Fired >= times) _rules.RemoveAll(r => ReferenceEquals(r.Rule, rule));
                    _ruleCount = _rules.Count;
                    break;
                }
            }
        }
        if (hit is null)
        {
            await next();
            return;
        }
        http.Items[AppliedKey] = $"{hit.Id}:{hit.Kind}{(hit.Status is { } s ? ":" + s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}";
        switch (hit.Kind)
        {
            case "latency":
                await Task.Delay(hit.DelayMs!.Value, http.RequestAborted);
                await next();
                return;
            case "html":
                var status = hit.Status ?? StatusCodes.Status502BadGateway;
                var phrase = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
                http.Response.StatusCode = status;
                http.Response.ContentType = "text/html; charset=utf-8";
                await http.Response.WriteAsync(
                    $"<!DOCTYPE html><html><head><title>{status} {phrase}</title></head><body><center><h1>{status} {phrase}</h1></center><hr><center>KsefGen sandbox (injected fault {hit.Id})</center></body></html>",
                    http.RequestAborted);
                return;
            default:
                IResult result = hit.Status == 429
                    ? KsefResults.TooManyRequests(http, hit.RetryAfterSeconds ?? 1, $"Injected fault {hit.Id}: too many requests; retry after {hit.RetryAfterSeconds ?? 1} s.")
                    : TypedResults.Problem(title: Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(hit.Status!.Value), detail: $"Injected fault {hit.Id}.", statusCode: hit.Status!.Value);
                await result.ExecuteAsync(http);
                return;
        }
    }
}
