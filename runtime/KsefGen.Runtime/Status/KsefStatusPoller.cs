namespace KsefGen.Runtime.Status;

/// <summary>Settings of <see cref="KsefStatusPoller"/>.</summary>
public sealed class KsefPollingOptions
{
    /// <summary>The first wait between polls (1 s by default).</summary>
    public TimeSpan InitialInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Each wait is the previous one times this (1.5 by default), up to <see cref="MaxInterval"/>.</summary>
    public double BackoffFactor { get; set; } = 1.5;

    /// <summary>The longest wait between polls (15 s by default).</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Give up after this long (10 min by default).</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a failed poll asks to wait, when it says (a 429's Retry-After); null lets the exception end the wait.
    /// With the runtime's resilience handler, 429s are retried below and never reach the poller.
    /// </summary>
    public Func<Exception, TimeSpan?>? RetryAfter { get; set; }

    /// <summary>Which codes end the wait (200 and up by default: 100/150/170 mean keep waiting).</summary>
    public Func<int, bool> IsTerminal { get; set; } = code => code >= 200;

    /// <summary>The clock (delays and the deadline).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>Where a wait stands, for progress reporting.</summary>
/// <param name="Attempt">Polls so far.</param>
/// <param name="Elapsed">Time since the wait started.</param>
/// <param name="Code">The last status code seen (null after a failed poll).</param>
/// <param name="NextDelay">How long until the next poll (zero when done).</param>
public sealed record KsefPollingProgress(int Attempt, TimeSpan Elapsed, int? Code, TimeSpan NextDelay);

/// <summary>The deadline passed before the status became terminal.</summary>
public sealed class KsefPollingTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public KsefPollingTimeoutException(string message, int? lastCode, int attempts) : base(message)
    {
        LastCode = lastCode;
        Attempts = attempts;
    }

    /// <summary>Creates the exception.</summary>
    public KsefPollingTimeoutException() : this("The status did not become terminal in time.", null, 0) { }

    /// <summary>Creates the exception.</summary>
    public KsefPollingTimeoutException(string message) : this(message, null, 0) { }

    /// <summary>Creates the exception.</summary>
    public KsefPollingTimeoutException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The last status code seen.</summary>
    public int? LastCode { get; }

    /// <summary>How many polls were made.</summary>
    public int Attempts { get; }
}

/// <summary>
/// Polls an invoice, session or authentication status until it is terminal — with a growing interval, a deadline,
/// cancellation and progress — and returns the terminal response. It re-queries the SAME submission: KSeF's rule is
/// to wait on 100/150, never to resend.
/// </summary>
public static class KsefStatusPoller
{
    /// <summary>Polls until <see cref="KsefPollingOptions.IsTerminal"/> holds for the status code.</summary>
    /// <typeparam name="T">The status response type (e.g. the generated SessionInvoiceStatusResponse).</typeparam>
    /// <param name="poll">One status call.</param>
    /// <param name="statusCode">The code of a response (e.g. r => r.Status.Code).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="progress">Told after every poll.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first response with a terminal code.</returns>
    /// <exception cref="KsefPollingTimeoutException">The deadline passed first.</exception>
    public static async Task<T> WaitForAsync<T>(
        Func<CancellationToken, Task<T>> poll,
        Func<T, int> statusCode,
        KsefPollingOptions? options = null,
        IProgress<KsefPollingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(poll);
        ArgumentNullException.ThrowIfNull(statusCode);
        options ??= new KsefPollingOptions();
        var clock = options.TimeProvider;
        var started = clock.GetUtcNow();
        var interval = options.InitialInterval;
        int? last = null;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan delay;
            try
            {
                var response = await poll(cancellationToken).ConfigureAwait(false);
                last = statusCode(response);
                if (options.IsTerminal(last.Value))
                {
                    progress?.Report(new KsefPollingProgress(attempt, clock.GetUtcNow() - started, last, TimeSpan.Zero));
                    return response;
                }
                delay = interval;
                interval = TimeSpan.FromTicks(Math.Min(options.MaxInterval.Ticks, (long)(interval.Ticks * Math.Max(1, options.BackoffFactor))));
            }
            catch (Exception e) when (e is not OperationCanceledException && options.RetryAfter?.Invoke(e) is { } wait)
            {
                // Rate limited: wait as long as the server asked (at least the current interval), then poll again.
                last = null;
                delay = wait > interval ? wait : interval;
            }

            var elapsed = clock.GetUtcNow() - started;
            if (elapsed + delay > options.Deadline)
            {
                throw new KsefPollingTimeoutException(
                    $"The status was still {(last?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown")} after {attempt} polls in {elapsed.TotalSeconds:0.#} s (deadline {options.Deadline.TotalSeconds:0.#} s).",
                    last, attempt);
            }
            progress?.Report(new KsefPollingProgress(attempt, elapsed, last, delay));
            await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
        }
    }
}
