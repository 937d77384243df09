using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KsefGen.EditLoopBench;

/// <summary>The timed rebuilds of one scenario.</summary>
/// <param name="Name">Scenario name (same-project, library, subset).</param>
/// <param name="Goal">Ratio the issue aims for.</param>
/// <param name="EmptySeconds">Rebuild wall times of the app without the spec, in round order.</param>
/// <param name="WithSpecSeconds">Rebuild wall times of the app with the spec, in round order.</param>
public sealed record ScenarioResult(string Name, double Goal, IReadOnlyList<double> EmptySeconds, IReadOnlyList<double> WithSpecSeconds)
{
    /// <summary>Median rebuild of the app without the spec, seconds.</summary>
    public double MedianEmpty => Median(EmptySeconds);

    /// <summary>Median rebuild of the app with the spec, seconds.</summary>
    public double MedianWithSpec => Median(WithSpecSeconds);

    /// <summary>MedianWithSpec / MedianEmpty.</summary>
    public double Ratio => MedianEmpty > 0 ? MedianWithSpec / MedianEmpty : double.NaN;

    /// <summary>Whether the ratio is within the goal.</summary>
    public bool MeetsGoal => Ratio <= Goal;

    /// <summary>The median (mean of the middle two for an even count); NaN when empty.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>What one run of the bench measured.</summary>
/// <param name="Spec">The spec file the "with spec" apps used.</param>
/// <param name="GeneratorVersion">The version the generator was packed under.</param>
/// <param name="Rounds">Timed rounds per scenario.</param>
/// <param name="Warmups">Warm-up rounds per scenario.</param>
/// <param name="Machine">Processor count and OS, for reading the figures.</param>
/// <param name="CompilerServer">Whether builds used the compiler server and node reuse (the SDK defaults).</param>
/// <param name="Scenarios">Results, in the order run.</param>
public sealed record EditLoopReport(string Spec, string GeneratorVersion, int Rounds, int Warmups, string Machine, bool CompilerServer, IReadOnlyList<ScenarioResult> Scenarios)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A plain-text table: one row per scenario.</summary>
    public string ToTable()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"Edit-loop rebuild (dotnet build --no-restore -c Debug after a one-line Program.cs edit), {Rounds} timed rounds, {Warmups} warm-ups");
        text.AppendLine(c, $"spec: {Path.GetFileName(Spec)}   compiler server: {(CompilerServer ? "on" : "off (UseSharedCompilation=false)")}   machine: {Machine}");
        text.AppendLine();
        text.AppendLine(c, $"{"scenario",-14} {"empty (s)",10} {"with spec (s)",14} {"ratio",7} {"goal",6}  verdict");
        foreach (var s in Scenarios)
        {
            text.AppendLine(c, $"{s.Name,-14} {s.MedianEmpty,10:F2} {s.MedianWithSpec,14:F2} {s.Ratio,6:F2}x {s.Goal,5:F1}x  {(s.MeetsGoal ? "meets goal" : "over goal")}");
        }
        text.AppendLine();
        foreach (var s in Scenarios)
        {
            text.AppendLine(c, $"{s.Name}: empty [{string.Join(", ", s.EmptySeconds.Select(v => v.ToString("F2", c)))}]  with spec [{string.Join(", ", s.WithSpecSeconds.Select(v => v.ToString("F2", c)))}]");
        }
        return text.ToString();
    }

    /// <summary>The report as JSON, medians and ratios included.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        Spec,
        GeneratorVersion,
        Rounds,
        Warmups,
        Machine,
        CompilerServer,
        Scenarios = Scenarios.Select(s => new
        {
            s.Name,
            s.Goal,
            s.MedianEmpty,
            s.MedianWithSpec,
            s.Ratio,
            s.MeetsGoal,
            s.EmptySeconds,
            s.WithSpecSeconds,
        }),
    }, JsonOptions);
}
