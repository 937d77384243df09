using System.Collections.Frozen;
using System.Text.Json;

namespace KsefGen.Sandbox.Api;

/// <summary>What the spec says about one operation: its limits (per second, minute, hour) and the permissions it requires (any of).</summary>
internal sealed record OperationInfo(string Key, int?[] RateLimits, IReadOnlyList<string> RequiredPermissions);

/// <summary>
/// The operations of the OpenAPI document embedded in the sandbox (specs/), read once: x-rate-limits and
/// x-required-permissions per "METHOD /path", so enforcement follows the spec rather than a copy of it.
/// </summary>
internal sealed class OperationCatalog
{
    private readonly FrozenDictionary<string, OperationInfo> _operations;

    /// <summary>Reads the embedded spec.</summary>
    public OperationCatalog()
    {
        using var spec = typeof(OperationCatalog).Assembly.GetManifestResourceStream("ksef-sandbox.openapi.json")
            ?? throw new InvalidOperationException("The embedded OpenAPI document is missing.");
        using var document = JsonDocument.Parse(spec);
        var operations = new Dictionary<string, OperationInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Value.ValueKind != JsonValueKind.Object || operation.Name.StartsWith("x-", StringComparison.Ordinal) || operation.Name == "parameters") continue;
                var key = operation.Name.ToUpperInvariant() + " " + path.Name;
                int?[] limits = [null, null, null];
                if (operation.Value.TryGetProperty("x-rate-limits", out var value))
                {
                    int? Get(string name) => value.TryGetProperty(name, out var n) && n.TryGetInt32(out var i) ? i : null;
                    limits = [Get("perSecond"), Get("perMinute"), Get("perHour")];
                }
                var permissions = operation.Value.TryGetProperty("x-required-permissions", out var required) && required.ValueKind == JsonValueKind.Array
                    ? required.EnumerateArray().Select(p => p.GetString()!).ToArray()
                    : [];
                operations[key] = new OperationInfo(key, limits, permissions);
            }
        }
        _operations = operations.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every operation by key ("GET /sessions/{referenceNumber}").</summary>
    public IReadOnlyDictionary<string, OperationInfo> Operations => _operations;

    /// <summary>The operation a request was routed to, or null for routes outside the spec.</summary>
    public OperationInfo? Of(HttpContext http)
    {
        if (http.Features.Get<OperationInfo>() is { } known) return known;
        var template = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (template is null) return null;
        // Group prefixes combine into "/v2/sessions/" for MapGet(""): compare without the base path and trailing slash.
        if (template.StartsWith("/v2", StringComparison.Ordinal)) template = template[3..];
        if (template.Length > 1) template = template.TrimEnd('/');
        var operation = _operations.GetValueOrDefault(http.Request.Method + " " + template);
        if (operation is not null) http.Features.Set(operation);
        return operation;
    }
}
