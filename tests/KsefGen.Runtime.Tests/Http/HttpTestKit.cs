using System.Collections.Concurrent;
using System.Net;
using System.Text;
using KsefGen.Runtime.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Runtime.Tests.Http;

/// <summary>What a typed client gets: the configured HttpClient.</summary>
public sealed class FakeKsefClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
}

/// <summary>A request as the network saw it.</summary>
internal sealed record SeenRequest(HttpMethod Method, string Path, string? Authorization, string? ErrorFormat, string? Body);

/// <summary>The "network": answers each request with the next scripted reply and records what was sent.</summary>
internal sealed class FakeNetwork : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, Task<HttpResponseMessage>> _answer;
    private int _count;

    public FakeNetwork(Func<HttpRequestMessage, int, Task<HttpResponseMessage>> answer) => _answer = answer;

    public FakeNetwork(params Func<HttpResponseMessage>[] replies)
        : this((_, n) => Task.FromResult(replies[Math.Min(n, replies.Length - 1)]())) { }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Seen.Enqueue(new SeenRequest(
            request.Method,
            request.RequestUri!.AbsolutePath,
            request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("X-Error-Format", out var values) ? string.Join(",", values) : null,
            body));
        var response = await _answer(request, Interlocked.Increment(ref _count) - 1);
        response.RequestMessage ??= request;
        return response;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json = "{}") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Html(HttpStatusCode status) =>
        new(status) { Content = new StringContent("<html><body><h1>502 Bad Gateway</h1></body></html>", Encoding.UTF8, "text/html") };
}

/// <summary>
/// A clock standing still at a whole second, whose timers fire at once: retry waits cost no time, and the delays
/// asked for are still visible through the retry events.
/// </summary>
internal sealed class InstantTimeProvider : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
}

internal static class HttpTestKit
{
    public static readonly Uri Base = new("https://ksef.example/v2/");

    /// <summary>A client built the way a consumer builds it, over a fake network.</summary>
    public static (FakeKsefClient Client, List<KsefRetryEvent> Retries, ServiceProvider Services) Build(
        HttpMessageHandler network,
        IKsefAccessTokenProvider? tokens = null,
        Action<KsefClientOptions>? configure = null)
    {
        var retries = new List<KsefRetryEvent>();
        var services = new ServiceCollection();
        services.AddKsefClient<FakeKsefClient>(o =>
        {
            o.BaseAddress = Base;
            o.TimeProvider = new InstantTimeProvider();
            o.Retry.OnRetry = e => { lock (retries) retries.Add(e); };
            if (tokens is not null) o.UseAccessTokens(tokens);
            configure?.Invoke(o);
        }).ConfigurePrimaryHttpMessageHandler(() => network);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<FakeKsefClient>(), retries, provider);
    }
}

/// <summary>A provider handing out a fixed sequence of tokens and counting refreshes.</summary>
internal sealed class SequenceTokens(params string[] tokens) : IKsefAccessTokenProvider
{
    private int _index;

    public int Refreshes { get; private set; }

    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken) => new(tokens[_index]);

    public ValueTask<string?> RefreshAccessTokenAsync(string rejectedToken, CancellationToken cancellationToken)
    {
        Refreshes++;
        if (_index + 1 >= tokens.Length) return new((string?)null);
        _index++;
        return new(tokens[_index]);
    }
}
