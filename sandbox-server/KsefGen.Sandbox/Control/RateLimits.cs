using System.Collections.Concurrent;
using System.Globalization;
using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Control;

/// <summary>
/// The per-operation limits of the spec's <c>x-rate-limits</c> (requests per second, minute and hour), enforced like KSeF
/// does: per context and client IP (per IP for operations without a token), over sliding windows on the sandbox clock,
/// all three windows at once; a breach answers 429 with Retry-After (seconds until the window lets the request in).
/// The limits are read from the OpenAPI document embedded in the sandbox, so they follow the spec.
/// </summary>
internal sealed class RateLimits
{
    private static readonly TimeSpan[] Windows = [TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)];
    private readonly ConcurrentDictionary<string, List<long>> _history = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    /// <summary>Reads the limits from the embedded spec.</summary>
    public RateLimits(SandboxOptions options, TimeProvider clock, OperationCatalog catalog, SandboxStore store)
    {
        _clock = clock;
        _catalog = catalog;
        _store = store;
        Enabled = options.RateLimits;
    }

    private readonly OperationCatalog _catalog;
    private readonly SandboxStore _store;

    /// <summary>Whether limits are enforced (switchable at run time through /sandbox/rate-limits).</summary>
    public bool Enabled { get; set; }

    /// <summary>The limits per operation ("GET /sessions/{referenceNumber}" → per second, minute, hour).</summary>
    public IReadOnlyDictionary<string, int?[]> Limits => _catalog.Operations.Values.Where(o => o.RateLimits.Any(l => l is not null)).ToDictionary(o => o.Key, o => o.RateLimits);

    /// <summary>Forgets the request history.</summary>
    public void Clear() => _history.Clear();

    /// <summary>
    /// An endpoint filter for /v2 routes: counts the request against its operation's limits (after the access token,
    /// when the route has one, so the count is per context).
    /// </summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var limits = http.RequestServices.GetRequiredService<RateLimits>();
        if (limits.Enabled && limits.Check(http) is { } retryAfter)
        {
            return KsefResults.TooManyRequests(http, retryAfter, string.Create(CultureInfo.InvariantCulture,
                $"The request limit for this operation was exceeded. Retry after {retryAfter} seconds."));
        }
        return await next(invocation);
    }

    /// <summary>Counts the request; the seconds to wait when a limit is exceeded, else null.</summary>
    public int? Check(HttpContext http)
    {
        if (_catalog.Of(http) is not { } info) return null;
        var context = Caller.Current(http)?.ContextNip;
        var (operation, limit) = (info.Key, info.RateLimits);
        // Each operation counts on its own (per context and IP). Its limits are its x-rate-limits, or, once test data
        // changed the context's budgets, the values of the group limity-api.md puts it in ("other" for most): the
        // official SDK's tests show GET /rate-limits and GET /limits/context, both "other", do not share one count.
        if (context is not null && LimitSettings.GroupOf(info.Key) is { } group && _store.Limits.RateOverrideOf(context) is { } rates && rates.TryGetValue(group, out var set))
        {
            limit = [set.PerSecond, set.PerMinute, set.PerHour];
        }
        else if (_store.Limits.RateScale != 1)
        {
            limit = [.. limit.Select(l => l * _store.Limits.RateScale)];
        }
        if (limit.All(l => l is null)) return null;
        var key = string.Join("|", operation, context ?? "-", http.Connection.RemoteIpAddress?.ToString() ?? "-");
        var history = _history.GetOrAdd(key, _ => []);
        var now = _clock.GetUtcNow().UtcTicks;
        lock (history)
        {
            history.RemoveAll(t => t <= now - Windows[^1].Ticks);
            int? wait = null;
            for (var w = 0; w < Windows.Length; w++)
            {
                if (limit[w] is not { } max) continue;
                var from = now - Windows[w].Ticks;
                var first = history.FindIndex(t => t > from);
                var inWindow = first < 0 ? 0 : history.Count - first;
                if (inWindow < max) continue;
                // The request fits once the oldest of the last 'max' requests leaves the window.
                var freeAt = history[history.Count - max] + Windows[w].Ticks;
                var seconds = (int)Math.Max(1, Math.Ceiling(TimeSpan.FromTicks(freeAt - now).TotalSeconds));
                wait = Math.Max(wait ?? 0, seconds);
            }
            if (wait is null) history.Add(now);
            return wait;
        }
    }
}
