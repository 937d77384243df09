using System.Diagnostics;
using KsefGen.Sandbox.Api;

namespace KsefGen.Sandbox.Control;

/// <summary>One request as the sandbox saw it.</summary>
/// <param name="Id">Sequence number (grows by one per request).</param>
/// <param name="Time">When it arrived (sandbox clock).</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path and query.</param>
/// <param name="Headers">Request headers (the bearer token shortened to its last characters).</param>
/// <param name="Body">The request body when it is text (JSON/XML), up to 4 KB; otherwise its length.</param>
/// <param name="Status">The status code answered.</param>
/// <param name="ContextNip">The context the access token acted for, when there was one.</param>
/// <param name="Fault">The injected fault that answered, if one did.</param>
/// <param name="DurationMs">Time spent in the sandbox.</param>
internal sealed record LoggedRequest(
    long Id, DateTimeOffset Time, string Method, string Path, IReadOnlyDictionary<string, string> Headers, string? Body,
    int Status, string? ContextNip, string? Fault, double DurationMs);

/// <summary>
/// The last requests (a bounded ring, newest first on read), so a failing CI job can see what its client really sent:
/// GET /sandbox/requests.
/// </summary>
internal sealed class RequestLog(SandboxOptions options, TimeProvider clock)
{
    private const int BodyLimit = 4096;
    private readonly Lock _gate = new();
    private readonly LinkedList<LoggedRequest> _entries = new();
    private long _next;

    /// <summary>The newest <paramref name="limit"/> requests, optionally only those whose path contains <paramref name="pathContains"/>.</summary>
    public IReadOnlyList<LoggedRequest> Newest(int limit, string? pathContains)
    {
        lock (_gate)
        {
            IEnumerable<LoggedRequest> entries = _entries;
            if (!string.IsNullOrEmpty(pathContains)) entries = entries.Where(e => e.Path.Contains(pathContains, StringComparison.OrdinalIgnoreCase));
            return entries.Take(limit).ToList();
        }
    }

    /// <summary>Forgets everything.</summary>
    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }

    /// <summary>The middleware: records every request except reads of the log itself.</summary>
    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        var path = http.Request.Path.Value ?? "";
        if (path.StartsWith("/sandbox/requests", StringComparison.OrdinalIgnoreCase) || options.RequestLogSize <= 0)
        {
            await next();
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var time = clock.GetUtcNow();
        string? body = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var type = http.Request.ContentType ?? "";
            if (type.Contains("json", StringComparison.OrdinalIgnoreCase) || type.Contains("xml", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
            {
                http.Request.EnableBuffering();
                var buffer = new byte[BodyLimit];
                var read = 0;
                int n;
                while (read < BodyLimit && (n = await http.Request.Body.ReadAsync(buffer.AsMemory(read), http.RequestAborted)) > 0) read += n;
                http.Request.Body.Position = 0;
                body = System.Text.Encoding.UTF8.GetString(buffer, 0, read) + (read == BodyLimit ? "…" : "");
            }
            else
            {
                body = $"({http.Request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "streamed"} bytes of {(type.Length > 0 ? type : "no content type")})";
            }
        }
        try
        {
            await next();
        }
        finally
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in http.Request.Headers)
            {
                var value = header.Value.ToString();
                if (header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && value.Length > 16) value = value[..7] + "…" + value[^6..];
                headers[header.Key] = value;
            }
            var entry = new LoggedRequest(Interlocked.Increment(ref _next), time, http.Request.Method, path + http.Request.QueryString, headers, body,
                http.Response.StatusCode, Caller.Current(http)?.ContextNip, http.Items.TryGetValue(Faults.AppliedKey, out var fault) ? fault as string : null,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            lock (_gate)
            {
                _entries.AddFirst(entry);
                while (_entries.Count > options.RequestLogSize) _entries.RemoveLast();
            }
        }
    }
}
