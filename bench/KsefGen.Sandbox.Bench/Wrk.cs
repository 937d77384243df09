using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KsefGen.Sandbox.Bench;

/// <summary>wrk's figures for one run.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Failures);

/// <summary>
/// A cross-check with wrk (a C load generator, far cheaper per request than HttpClient): same URL, headers and
/// connection count, 2 threads. Headers go through -H, which is enough for a bearer token and a continuation token.
/// </summary>
internal static partial class Wrk
{
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "wrk"))
            .FirstOrDefault(File.Exists);

    public static async Task<WrkResult> RunAsync(string wrk, Target target, int connections, int seconds, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "10s" }) start.ArgumentList.Add(arg);
        if (target.Bearer is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add("Authorization: Bearer " + target.Bearer);
        }
        if (target.ContinuationToken is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add("x-continuation-token: " + target.ContinuationToken);
        }
        start.ArgumentList.Add(target.Url.ToString());

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds + 30));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw;
            }
        }
        var text = await output.ConfigureAwait(false) + await error.ConfigureAwait(false);
        var rps = RequestsPerSecond().Match(text);
        var p50 = Percentile50().Match(text);
        var p99 = Percentile99().Match(text);
        if (process.ExitCode != 0 || !rps.Success || !p50.Success || !p99.Success) throw new InvalidOperationException("Unexpected wrk output:\n" + text);
        var non2xx = Non2xx().Match(text);
        var errors = SocketErrors().Match(text);
        long failures = (non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
            + (errors.Success ? errors.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0);
        return new WrkResult(double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), Ms(p50), Ms(p99), failures);
    }

    private static double Ms(Match match)
    {
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            "m" => value * 60_000,
            _ => throw new FormatException("wrk unit " + match.Groups[2].Value),
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+50%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile50();

    [GeneratedRegex(@"^\s+99%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile99();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
