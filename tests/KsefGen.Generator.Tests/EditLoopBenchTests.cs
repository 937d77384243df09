using System.Text.Json;
using KsefGen.EditLoopBench;

namespace KsefGen.Generator.Tests;

/// <summary>
/// Keeps bench/KsefGen.EditLoopBench from rotting: its cheapest real run (the library scenario, no warm-up, one timed
/// round) packs the generator, builds both apps and reports both medians. The figures themselves are not judged here.
/// </summary>
[Collection(GeneratorPackCollection.Name)]
public sealed class EditLoopBenchTests
{
    [Fact]
    public async Task EditLoopBenchLibraryScenarioBuildsBothAppsAndReportsBothMedians()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        Assert.Equal(RepoPaths.NewestOfficialSpec, EditLoop.NewestOfficialSpec(RepoPaths.Root));

        var log = new StringWriter();
        var options = new EditLoopOptions
        {
            Spec = RepoPaths.NewestOfficialSpec!,
            RepoRoot = RepoPaths.Root,
            Rounds = 1,
            Warmups = 0,
            Scenarios = [Scenario.Library],
            // This test run has just built the generator in its own configuration: pack that, do not build it again.
            PackNoBuild = true,
            // No compiler server or MSBuild nodes left running after the test (the bench's default keeps them, as users have them).
            CompilerServer = false,
#if DEBUG
            PackConfiguration = "Debug",
#else
            PackConfiguration = "Release",
#endif
        };
        var report = await new EditLoop(options, log).RunAsync(TestContext.Current.CancellationToken);

        var result = Assert.Single(report.Scenarios);
        Assert.Equal("library", result.Name);
        Assert.Equal(1.5, result.Goal);
        Assert.True(Assert.Single(result.EmptySeconds) > 0, log.ToString());
        Assert.True(Assert.Single(result.WithSpecSeconds) > 0, log.ToString());
        Assert.True(result.MedianEmpty > 0 && result.MedianWithSpec > 0 && double.IsFinite(result.Ratio), log.ToString());

        var table = report.ToTable();
        Assert.Contains("library", table);
        Assert.Contains(Path.GetFileName(RepoPaths.NewestOfficialSpec!), table);
        using var json = JsonDocument.Parse(report.ToJson());
        var scenario = Assert.Single(json.RootElement.GetProperty("scenarios").EnumerateArray().ToList());
        Assert.Equal(result.MedianEmpty, scenario.GetProperty("medianEmpty").GetDouble());
        Assert.Equal(result.MedianWithSpec, scenario.GetProperty("medianWithSpec").GetDouble());

        // The temporary workspace is gone unless --keep.
        var workspace = log.ToString().Split('\n')[0]["Workspace: ".Length..].Trim();
        Assert.False(Directory.Exists(workspace), workspace);
    }

    [Fact]
    public void EditLoopMedianTakesTheMiddleOrTheMeanOfTheMiddleTwo()
    {
        Assert.Equal(3, ScenarioResult.Median([5, 1, 3]));
        Assert.Equal(2.5, ScenarioResult.Median([4, 1, 3, 2]));
        Assert.True(double.IsNaN(ScenarioResult.Median([])));
        var result = new ScenarioResult("same-project", 1.5, [4, 6, 5], [9, 8, 10]);
        Assert.Equal(9.0 / 5, result.Ratio, 10);
        Assert.False(result.MeetsGoal);
    }

    [Fact]
    public void EditLoopScenarioNamesRoundTrip()
    {
        foreach (var scenario in Scenarios.All) Assert.Equal(scenario, Scenarios.Parse(Scenarios.Name(scenario)));
        Assert.Null(Scenarios.Parse("everything"));
    }
}

/// <summary>Tests that dotnet pack the generator in the repository run one at a time (they share its obj/ and bin/).</summary>
[CollectionDefinition(Name)]
public sealed class GeneratorPackCollection
{
    public const string Name = "dotnet pack of the generator";
}
