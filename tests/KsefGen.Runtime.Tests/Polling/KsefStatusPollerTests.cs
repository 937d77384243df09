using KsefGen.Runtime.Status;

namespace KsefGen.Runtime.Tests.Polling;

public sealed class KsefStatusPollerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KsefPollingOptions Fast => new() { InitialInterval = TimeSpan.FromMilliseconds(1), MaxInterval = TimeSpan.FromMilliseconds(4), BackoffFactor = 2 };

    private sealed class Reports : IProgress<KsefPollingProgress>
    {
        public List<KsefPollingProgress> Seen { get; } = [];

        public void Report(KsefPollingProgress value)
        {
            lock (Seen) Seen.Add(value);
        }
    }

    [Fact]
    public async Task WaitsThroughInProgressCodesAndReturnsTheTerminalResponse()
    {
        var codes = new Queue<int>([100, 150, 150, 200]);
        var progress = new Reports();
        var result = await KsefStatusPoller.WaitForAsync(_ => Task.FromResult(codes.Dequeue()), c => c, Fast, progress, Ct);
        Assert.Equal(200, result);
        Assert.Equal([100, 150, 150, 200], progress.Seen.Select(p => p.Code!.Value));
        Assert.Equal(TimeSpan.Zero, progress.Seen[^1].NextDelay);
        // The interval grows and stops at the maximum.
        Assert.Equal([1, 2, 4], progress.Seen.Take(3).Select(p => (int)p.NextDelay.TotalMilliseconds));
    }

    [Fact]
    public async Task FailuresAreTerminalToo()
    {
        var polls = 0;
        var result = await KsefStatusPoller.WaitForAsync(_ => Task.FromResult(++polls < 3 ? 100 : 450), c => c, Fast, cancellationToken: Ct);
        Assert.Equal(450, result);
        Assert.Equal(3, polls);
    }

    [Fact]
    public async Task DeadlineEndsTheWaitWithTheLastCode()
    {
        var options = Fast;
        options.Deadline = TimeSpan.FromMilliseconds(30);
        var error = await Assert.ThrowsAsync<KsefPollingTimeoutException>(() => KsefStatusPoller.WaitForAsync(_ => Task.FromResult(150), c => c, options, cancellationToken: Ct));
        Assert.Equal(150, error.LastCode);
        Assert.True(error.Attempts >= 1);
    }

    [Fact]
    public async Task RateLimitedPollsWaitAsAskedAndGoOn()
    {
        var options = Fast;
        options.RetryAfter = e => e is InvalidOperationException ? TimeSpan.FromMilliseconds(3) : null;
        var polls = 0;
        var progress = new Reports();
        var result = await KsefStatusPoller.WaitForAsync(_ => ++polls == 1 ? throw new InvalidOperationException("429") : Task.FromResult(200), c => c, options, progress, Ct);
        Assert.Equal(200, result);
        Assert.Null(progress.Seen[0].Code);
        Assert.Equal(TimeSpan.FromMilliseconds(3), progress.Seen[0].NextDelay);
        // Other failures are not swallowed.
        await Assert.ThrowsAsync<ArgumentException>(() => KsefStatusPoller.WaitForAsync<int>(_ => throw new ArgumentException("bad"), c => c, options, cancellationToken: Ct));
    }

    [Fact]
    public async Task CancellationStopsTheWait()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var polls = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => KsefStatusPoller.WaitForAsync(_ =>
        {
            if (++polls == 2) cancel.Cancel();
            return Task.FromResult(100);
        }, c => c, Fast, cancellationToken: cancel.Token));
        Assert.Equal(2, polls);
    }
}
