namespace KsefGen.Sandbox.State;

/// <summary>
/// Work that happens "later" in KSeF — an invoice moving 100 → 150 → final, a session being processed after close, an
/// authentication finishing — scheduled at a point on the sandbox clock. Nothing runs in the background: every request
/// first runs what is due (in time order, each step seeing its own scheduled time), so advancing the virtual clock
/// moves everything deterministically.
/// </summary>
internal sealed class SandboxTimeline(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Action<DateTimeOffset>, (DateTimeOffset At, long Order)> _queue = new();
    private long _order;
    private long _nextDue = long.MaxValue;

    /// <summary>Schedules <paramref name="step"/> to run at <paramref name="at"/> (it receives that time).</summary>
    public void Schedule(DateTimeOffset at, Action<DateTimeOffset> step)
    {
        lock (_gate)
        {
            _queue.Enqueue(step, (at, _order++));
            if (at.UtcTicks < Volatile.Read(ref _nextDue)) Volatile.Write(ref _nextDue, at.UtcTicks);
        }
    }

    /// <summary>How many steps are waiting.</summary>
    public int Pending
    {
        get
        {
            lock (_gate) return _queue.Count;
        }
    }

    /// <summary>Runs every step due by now. Cheap when nothing is due (one comparison, no lock).</summary>
    public void RunDue()
    {
        var now = clock.GetUtcNow();
        if (now.UtcTicks < Volatile.Read(ref _nextDue)) return;
        lock (_gate)
        {
            // Steps may schedule further steps; those due already run in the same pass, still in time order.
            while (_queue.TryPeek(out var step, out var key) && key.At <= now)
            {
                _queue.Dequeue();
                step(key.At);
            }
            Volatile.Write(ref _nextDue, _queue.TryPeek(out _, out var next) ? next.At.UtcTicks : long.MaxValue);
        }
    }

    /// <summary>Forgets every scheduled step (used by reset).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _queue.Clear();
            Volatile.Write(ref _nextDue, long.MaxValue);
        }
    }
}
