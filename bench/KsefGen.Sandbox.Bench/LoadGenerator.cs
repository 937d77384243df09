using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace KsefGen.Sandbox.Bench;

/// <summary>One request to repeat: a GET with optional bearer token and continuation token.</summary>
internal sealed record Target(Uri Url, string? Bearer = null, string? ContinuationToken = null)
{
    public HttpRequestMessage NewRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url) { Version = HttpVersion.Version11 };
        if (Bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Bearer);
        if (ContinuationToken is not null) request.Headers.TryAddWithoutValidation("x-continuation-token", ContinuationToken);
        return request;
    }
}

/// <summary>What one measured segment saw: request count, elapsed time and every request's latency (Stopwatch ticks).</summary>
internal sealed class Sample
{
    public long Requests { get; private set; }
    public long Failures { get; private set; }
    public long Bytes { get; private set; }
    public double Seconds { get; private set; }

    /// <summary>Bytes allocated in this process (client and servers) while the segment ran.</summary>
    public long Allocated { get; private set; }

    /// <summary>Time the GC held the process paused while the segment ran.</summary>
    public TimeSpan GcPause { get; private set; }

    /// <summary>Gen-2 collections while the segment ran.</summary>
    public int Gen2Collections { get; private set; }
    public List<long> Latencies { get; } = [];

    public void Add(Sample other)
    {
        Requests += other.Requests;
        Failures += other.Failures;
        Bytes += other.Bytes;
        Seconds += other.Seconds;
        Allocated += other.Allocated;
        GcPause += other.GcPause;
        Gen2Collections += other.Gen2Collections;
        Latencies.AddRange(other.Latencies);
    }

    public void Record(long ticks, int bytes, bool ok)
    {
        Requests++;
        Bytes += bytes;
        if (!ok) Failures++;
        Latencies.Add(ticks);
    }

    public void SetTotals(double seconds, long allocated, TimeSpan gcPause, int gen2)
    {
        Seconds = seconds;
        Allocated = allocated;
        GcPause = gcPause;
        Gen2Collections = gen2;
    }

    public double AllocatedPerRequest => Requests == 0 ? 0 : (double)Allocated / Requests;

    public double GcPausePercent => 100 * GcPause.TotalSeconds / Seconds;

    public double RequestsPerSecond => Requests / Seconds;

    /// <summary>The exact q-quantile (nearest rank) in milliseconds.</summary>
    public double PercentileMs(double q)
    {
        if (Latencies.Count == 0) return double.NaN;
        var sorted = Latencies.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1] * 1000.0 / Stopwatch.Frequency;
    }
}

/// <summary>
/// A closed-loop load generator: N tasks over one HttpClient whose handler keeps N connections, each task sending the
/// next request as soon as the previous response body has been read to the end, until a fixed deadline.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private readonly HttpClient _client;
    private readonly int _connections;

    public LoadGenerator(int connections)
    {
        _connections = connections;
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Fetches one response (for checks and canned bodies).</summary>
    public async Task<(HttpStatusCode Status, byte[] Body, string? ContentType, string? Continuation)> FetchAsync(Target target, CancellationToken cancellationToken)
    {
        using var request = target.NewRequest();
        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        // Requests send the token in the x-continuation-token header; responses carry the next one in the body.
        string? continuation = null;
        if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && json.RootElement.TryGetProperty("continuationToken", out var next)
                && next.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                continuation = next.GetString();
            }
        }
        return (response.StatusCode, body, response.Content.Headers.ContentType?.ToString(), continuation);
    }

    /// <summary>Runs the load for <paramref name="duration"/> and returns what it saw.</summary>
    public async Task<Sample> RunAsync(Target target, TimeSpan duration, CancellationToken cancellationToken)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var pause = GC.GetTotalPauseDuration();
        var gen2 = GC.CollectionCount(2);
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, _connections).Select(_ => Task.Run(() => WorkerAsync(target, deadline, cancellationToken), cancellationToken)).ToArray();
        var samples = await Task.WhenAll(workers).ConfigureAwait(false);
        var total = new Sample();
        foreach (var sample in samples) total.Add(sample);
        total.SetTotals(Stopwatch.GetElapsedTime(start).TotalSeconds, GC.GetTotalAllocatedBytes() - allocated, GC.GetTotalPauseDuration() - pause, GC.CollectionCount(2) - gen2);
        return total;
    }

    private async Task<Sample> WorkerAsync(Target target, long deadline, CancellationToken cancellationToken)
    {
        var sample = new Sample();
        var buffer = new byte[64 * 1024];
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var begin = Stopwatch.GetTimestamp();
            var bytes = 0;
            bool ok;
            using (var request = target.NewRequest())
            using (var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                ok = response.StatusCode == HttpStatusCode.OK;
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0) bytes += read;
                }
            }
            sample.Record(Stopwatch.GetTimestamp() - begin, bytes, ok);
        }
        return sample;
    }

    public void Dispose() => _client.Dispose();
}
