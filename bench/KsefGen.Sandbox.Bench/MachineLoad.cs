using System.Diagnostics;
using System.Globalization;

namespace KsefGen.Sandbox.Bench;

/// <summary>
/// How much of the machine's CPU other processes used over an interval: busy time of all CPUs from /proc/stat minus
/// this process's own CPU time. The client and both servers run here, so anything else running skews the figures.
/// </summary>
internal readonly record struct MachineLoad(long Busy, long Total, TimeSpan Own, long Timestamp)
{
    public static MachineLoad Take()
    {
        long busy = 0, total = 0;
        if (File.Exists("/proc/stat"))
        {
            // cpu  user nice system idle iowait irq softirq steal ...
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
            total = busy + fields[3] + fields[4];
        }
        using var self = Process.GetCurrentProcess();
        return new MachineLoad(busy, total, self.TotalProcessorTime, Stopwatch.GetTimestamp());
    }

    /// <summary>The share (0..1) of all CPUs that other processes used since <paramref name="start"/>; NaN when unknown.</summary>
    public double OthersShareSince(MachineLoad start)
    {
        var total = Total - start.Total;
        if (total <= 0) return double.NaN;
        var seconds = Stopwatch.GetElapsedTime(start.Timestamp, Timestamp).TotalSeconds;
        var busyShare = (double)(Busy - start.Busy) / total;
        var ownShare = (Own - start.Own).TotalSeconds / (seconds * Environment.ProcessorCount);
        return Math.Clamp(busyShare - ownShare, 0, 1);
    }

    /// <summary>Samples the machine for a moment and returns the others' share.</summary>
    public static async Task<double> SampleOthersAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var start = Take();
        await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        return Take().OthersShareSince(start);
    }
}
