using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KsefGen.Bench;

// Usage: dotnet run -c Release --project bench/KsefGen.Bench [-- --quick [--warmups N] [--runs N] | BenchmarkDotNet arguments]
var specPath = SpecLocator.Find(out var searched);
if (specPath is null)
{
    Console.WriteLine($"KsefGen.Bench: no KSeF spec found ({searched}); nothing to measure. Set {SpecLocator.OverrideVariable} to a spec file to run.");
    return 0;
}
// Pin the file for BenchmarkDotNet's child processes, which inherit the environment.
Environment.SetEnvironmentVariable(SpecLocator.OverrideVariable, specPath);
Console.WriteLine($"KsefGen.Bench: spec {specPath} ({new FileInfo(specPath).Length:N0} bytes)");

if (args.Contains("--quick"))
{
    await QuickHarness.RunAsync(IntOption(args, "--warmups", QuickHarness.DefaultWarmups), IntOption(args, "--runs", QuickHarness.DefaultRuns)).ConfigureAwait(false);
    return 0;
}

var summary = BenchmarkRunner.Run<GenerationBenchmarks>(args: args);
return SummaryLine.Print(summary) ? 0 : 1;

static int IntOption(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) && value >= 0
        ? value
        : fallback;
}

/// <summary>
/// A fast in-process check: warmups, then alternating timed runs of each; --warmups N and --runs N override the counts.
/// 30 warmups, not 5: tiered JIT (with dynamic PGO) on 2 cores needs about 20-30 runs of each before the times settle,
/// and after only 5 the medians were about 120 ms / 195 ms (ratio ~0.6) against about 50 ms / 50 ms warmed up.
/// KSEFGEN_BENCH_VERBOSE=1 prints every timed run.
/// </summary>
internal static class QuickHarness
{
    public const int DefaultWarmups = 30;
    public const int DefaultRuns = 15;

    public static async Task RunAsync(int warmups, int runs)
    {
        var bench = new GenerationBenchmarks();
        bench.Setup();
        Console.WriteLine($"quick: {bench.GeneratedTreeCount} generated trees, {warmups} warmups + {runs} alternating runs each");

        var sink = 0;
        for (var i = 0; i < warmups; i++)
        {
            sink += await bench.NSwagParse().ConfigureAwait(false);
            sink += bench.Generation();
        }

        var nswag = new double[runs];
        var generation = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            // Each timed run starts from a clean heap, so neither pays for the other's garbage.
            Settle();
            var watch = Stopwatch.StartNew();
            sink += await bench.NSwagParse().ConfigureAwait(false);
            nswag[i] = watch.Elapsed.TotalMilliseconds;

            Settle();
            watch.Restart();
            sink += bench.Generation();
            generation[i] = watch.Elapsed.TotalMilliseconds;
        }
        GC.KeepAlive(sink);
        if (Environment.GetEnvironmentVariable("KSEFGEN_BENCH_VERBOSE") == "1")
        {
            Console.WriteLine("generation ms: " + string.Join(" ", generation.Select(v => v.ToString("F0", CultureInfo.InvariantCulture))));
            Console.WriteLine("NSwag ms:      " + string.Join(" ", nswag.Select(v => v.ToString("F0", CultureInfo.InvariantCulture))));
        }

        SummaryLine.Write(Median(generation), Median(nswag));
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static double Median(double[] values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>The one-line verdict: medians of both and the generation/NSwag ratio.</summary>
internal static class SummaryLine
{
    public const double Goal = 0.5;

    public static bool Print(Summary summary)
    {
        double? MedianMs(string method) => summary.Reports
            .Where(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method && r.ResultStatistics is not null)
            .Select(r => (double?)r.ResultStatistics!.Median / 1_000_000.0)
            .FirstOrDefault();

        var generation = MedianMs(nameof(GenerationBenchmarks.Generation));
        var nswag = MedianMs(nameof(GenerationBenchmarks.NSwagParse));
        if (generation is null || nswag is null)
        {
            Console.WriteLine("KsefGen.Bench: a benchmark produced no result (see the log above).");
            return false;
        }
        Write(generation.Value, nswag.Value);
        return true;
    }

    public static void Write(double generationMs, double nswagMs) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median generation {generationMs:F1} ms, NSwag parse {nswagMs:F1} ms, ratio {generationMs / nswagMs:F2} (goal <= {Goal})"));
}
