using System.Collections.Concurrent;

namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>One HTTP exchange as it went over the wire: the request line and the full response.</summary>
public sealed record RecordedExchange(
    HttpMethod Method,
    Uri RequestUri,
    int StatusCode,
    string? ContentType,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body)
{
    /// <summary>For messages: "GET /v2/sessions/... -> 200 application/json".</summary>
    public override string ToString() => $"{Method} {RequestUri.PathAndQuery} -> {StatusCode} {ContentType}";
}

/// <summary>
/// A thread-safe log of exchanges, filled by <see cref="RecordingHandler"/>s. One log can sit in many clients
/// (a handler instance belongs to exactly one pipeline, so each client gets its own handler from <see cref="Observer"/>).
/// </summary>
public sealed class ExchangeLog
{
    private readonly ConcurrentQueue<RecordedExchange> _exchanges = new();

    /// <summary>Every exchange so far, in the order the responses arrived.</summary>
    public IReadOnlyList<RecordedExchange> Exchanges => [.. _exchanges];

    /// <summary>A fresh recording handler for one client pipeline (its inner handler is set by whoever builds the pipeline).</summary>
    public DelegatingHandler Observer() => new RecordingHandler(this);

    /// <summary>A plain client over real HTTP that records every exchange; no credentials unless the caller adds them.</summary>
    public HttpClient PlainClient(Uri baseAddress) =>
        new(new RecordingHandler(this) { InnerHandler = new HttpClientHandler() }) { BaseAddress = baseAddress };

    internal void Add(RecordedExchange exchange) => _exchanges.Enqueue(exchange);
}

/// <summary>
/// Records each response in an <see cref="ExchangeLog"/>. The body is buffered first, so the caller reads it as usual
/// (streaming calls get a buffered stream; fine for tests).
/// </summary>
public sealed class RecordingHandler(ExchangeLog log) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", values);
        }
        log.Add(new RecordedExchange(request.Method, request.RequestUri!, (int)response.StatusCode,
            response.Content.Headers.ContentType?.ToString(), headers, body));
        return response;
    }
}
