using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace KsefGen.Runtime.Http;

/// <summary>
/// The retry rules for KSeF calls as a Polly strategy: what is retried, and how long to wait. Used by
/// <see cref="Microsoft.Extensions.DependencyInjection.KsefHttpClientBuilderExtensions.AddKsefClient{TClient}(Microsoft.Extensions.DependencyInjection.IServiceCollection, System.Action{KsefClientOptions})"/>; public so a caller building its own pipeline
/// can reuse it.
/// </summary>
public static class KsefRetryPolicy
{
    /// <summary>Adds the KSeF retry strategy (and, if set, a per-attempt timeout) to a pipeline.</summary>
    /// <param name="pipeline">The pipeline to extend.</param>
    /// <param name="options">The retry settings.</param>
    /// <returns>The pipeline.</returns>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddKsefRetry(this ResiliencePipelineBuilder<HttpResponseMessage> pipeline, KsefRetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                UseJitter = options.UseJitter,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(
                    args.Context.GetRequestMessage()?.Method ?? args.Outcome.Result?.RequestMessage?.Method,
                    args.Outcome.Result,
                    args.Outcome.Exception,
                    pipeline.TimeProvider ?? TimeProvider.System,
                    options.MaxRetryAfter)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result is { } response ? RetryAfter(response, pipeline.TimeProvider ?? TimeProvider.System) : null),
                OnRetry = args =>
                {
                    if (options.OnRetry is { } onRetry)
                    {
                        var request = args.Context.GetRequestMessage() ?? args.Outcome.Result?.RequestMessage;
                        onRetry(new KsefRetryEvent(
                            request?.Method ?? HttpMethod.Get,
                            request?.RequestUri,
                            args.Outcome.Result?.StatusCode,
                            args.Outcome.Exception,
                            args.AttemptNumber,
                            args.RetryDelay));
                    }
                    return default;
                },
            });
        }
        if (options.AttemptTimeout is { } timeout)
        {
            pipeline.AddTimeout(timeout);
        }
        return pipeline;
    }

    /// <summary>
    /// Whether a call should be tried again: 429 for any method (unless it asks to wait longer than
    /// <paramref name="maxRetryAfter"/>); 500/502/503/504 (HTML gateway pages included), transport failures and
    /// attempt timeouts only for idempotent methods.
    /// </summary>
    /// <param name="method">The request method (null counts as not idempotent).</param>
    /// <param name="response">The response, if one came.</param>
    /// <param name="exception">The failure, if no response came.</param>
    /// <param name="clock">The clock for an HTTP-date <c>Retry-After</c>.</param>
    /// <param name="maxRetryAfter">The longest wait honoured.</param>
    /// <returns>True to retry.</returns>
    public static bool ShouldRetry(HttpMethod? method, HttpResponseMessage? response, Exception? exception, TimeProvider clock, TimeSpan maxRetryAfter)
    {
        if (response is not null)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return !(RetryAfter(response, clock) > maxRetryAfter);
            }
            return IsTransient(response) && IsIdempotent(method);
        }
        return exception is HttpRequestException or TimeoutRejectedException && IsIdempotent(method);
    }

    /// <summary>How long a response's <c>Retry-After</c> asks to wait (delta seconds or an HTTP date); null when it has none.</summary>
    /// <param name="response">The response.</param>
    /// <param name="clock">The clock an HTTP date is measured against.</param>
    /// <returns>The wait, never negative, or null.</returns>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(clock);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>GET, HEAD, OPTIONS, PUT, DELETE and TRACE: methods that may be repeated without a second effect.</summary>
    /// <param name="method">The method.</param>
    /// <returns>True for an idempotent method.</returns>
    public static bool IsIdempotent(HttpMethod? method) =>
        method is not null
        && (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options
            || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Trace);

    private static bool IsTransient(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => true,
        // A proxy or gateway answering with its own HTML page in place of the API's JSON.
        _ => (int)response.StatusCode >= 500 && response.Content.Headers.ContentType?.MediaType == "text/html",
    };
}
