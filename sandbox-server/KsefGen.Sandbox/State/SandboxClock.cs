namespace KsefGen.Sandbox.State;

/// <summary>The sandbox's time: the system clock plus an offset that tests (and /sandbox routes) can advance.</summary>
internal sealed class SandboxClock : TimeProvider
{
    private readonly TimeProvider _inner;
    private long _offsetTicks;

    /// <summary>A clock over the system clock.</summary>
    public SandboxClock() : this(System) { }

    /// <summary>A clock over another provider.</summary>
    public SandboxClock(TimeProvider inner) => _inner = inner;

    /// <summary>How far the clock has been advanced.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the sandbox's time forward.</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + Offset;
}
