namespace KsefGen.EditLoopBench;

/// <summary>A pair of consumer setups the bench compares: an app without the spec against one with it.</summary>
public enum Scenario
{
    /// <summary>
    /// Console app with the whole spec as an AdditionalFile and the package's defaults (in an app: the generated client
    /// compiled once into an assembly of its own), against the same app without the spec.
    /// </summary>
    SameProject,

    /// <summary>Like <see cref="SameProject"/> with KsefGenSeparateAssembly=false: the generated code compiled with the app on every build.</summary>
    InProject,

    /// <summary>Console app referencing a class library that holds the spec (the recommended setup), against a plain app.</summary>
    Library,

    /// <summary>Like <see cref="InProject"/>, but the spec item asks for a subset (KsefGenTags).</summary>
    Subset,
}

/// <summary>Names and goals of the scenarios.</summary>
public static class Scenarios
{
    /// <summary>Every scenario, in the order they run by default.</summary>
    public static IReadOnlyList<Scenario> All { get; } = [Scenario.SameProject, Scenario.InProject, Scenario.Library, Scenario.Subset];

    /// <summary>The command-line name (same-project, in-project, library, subset).</summary>
    public static string Name(Scenario scenario) => scenario switch
    {
        Scenario.SameProject => "same-project",
        Scenario.InProject => "in-project",
        Scenario.Library => "library",
        Scenario.Subset => "subset",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    /// <summary>The scenario of a command-line name, or null.</summary>
    public static Scenario? Parse(string name) => All.Cast<Scenario?>().FirstOrDefault(s => Name(s!.Value) == name.Trim());

    /// <summary>The ratio (rebuild with spec / rebuild without) the issue sets as the goal.</summary>
    /// <remarks>
    /// The recommended setup (≤ 1.1×) is the whole spec in the app, compiled into an assembly of its own: same-project,
    /// which is also "the whole spec in the same project" (≤ 1.5×). A class library with the spec is for a client several
    /// apps share, held to 1.5× like the other layouts with the whole spec.
    /// </remarks>
    public static double Goal(Scenario scenario) => scenario switch
    {
        Scenario.SameProject => 1.1,
        Scenario.Subset => 1.1,
        _ => 1.5,
    };
}

/// <summary>What to run.</summary>
public sealed record EditLoopOptions
{
    /// <summary>The OpenAPI file the "with spec" apps use.</summary>
    public required string Spec { get; init; }

    /// <summary>The repository root (holds KsefGen.sln); the generator is packed from here.</summary>
    public required string RepoRoot { get; init; }

    /// <summary>Timed rounds per scenario.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Untimed rounds (edit + rebuild) before the timed ones.</summary>
    public int Warmups { get; init; } = 2;

    /// <summary>The scenarios to run, in order.</summary>
    public IReadOnlyList<Scenario> Scenarios { get; init; } = EditLoopBench.Scenarios.All;

    /// <summary>Keep the temporary folder (consumer projects, feed, packages) instead of deleting it.</summary>
    public bool Keep { get; init; }

    /// <summary>Tags for the subset scenario (metadata KsefGenTags on the spec item).</summary>
    public string SubsetTags { get; init; } = "SessionStatus;Authentication";

    /// <summary>
    /// Pack the generator without building it (dotnet pack --no-build), from what <see cref="PackConfiguration"/> already
    /// built; for the smoke test, whose own build has just built the generator. Off: pack builds it, as a user would.
    /// </summary>
    public bool PackNoBuild { get; init; }

    /// <summary>The configuration the generator is packed in (Release).</summary>
    public string PackConfiguration { get; init; } = "Release";

    /// <summary>
    /// Builds use the compiler server (VBCSCompiler) and MSBuild node reuse, the SDK's defaults and so the user's edit
    /// loop, even where the environment turns them off (UseSharedCompilation=false, MSBUILDDISABLENODEREUSE=1, as on
    /// CI machines). False: every build runs with UseSharedCompilation=false (a fresh csc each time, as on such machines).
    /// </summary>
    public bool CompilerServer { get; init; } = true;

    /// <summary>Extra arguments for every timed dotnet build (e.g. -clp:PerformanceSummary); none by default.</summary>
    public IReadOnlyList<string> ExtraBuildArguments { get; init; } = [];
}
