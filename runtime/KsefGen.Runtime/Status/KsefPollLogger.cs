using Microsoft.Extensions.Logging;

namespace KsefGen.Runtime.Status;

/// <summary>Logs each poll at Information level and forwards it to the caller's progress (authentication and sending share it).</summary>
internal sealed class KsefPollLogger(ILogger? logger, string what, IProgress<KsefPollingProgress>? inner) : IProgress<KsefPollingProgress>
{
    public void Report(KsefPollingProgress value)
    {
        logger?.LogInformation("KSeF {What}: poll {Attempt}, status {Code}, next in {Delay} ms", what, value.Attempt, value.Code, (int)value.NextDelay.TotalMilliseconds);
        inner?.Report(value);
    }
}
