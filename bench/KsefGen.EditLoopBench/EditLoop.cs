using System.Globalization;
using System.Runtime.InteropServices;

namespace KsefGen.EditLoopBench;

/// <summary>
/// The edit-loop bench: packs the generator from the repository into a temporary folder feed, writes consumer apps
/// that use it by PackageReference (as users do), and per scenario times the rebuild of an app without the spec
/// against one with it after a one-line edit of Program.cs, alternating which of the pair builds first.
/// </summary>
public sealed class EditLoop
{
    private readonly EditLoopOptions _options;
    private readonly TextWriter _log;

    /// <summary>Creates the bench; progress goes to <paramref name="log"/>.</summary>
    public EditLoop(EditLoopOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.Rounds < 1) throw new ArgumentOutOfRangeException(nameof(options), "Rounds must be at least 1.");
        if (options.Warmups < 0) throw new ArgumentOutOfRangeException(nameof(options), "Warmups must not be negative.");
        if (!File.Exists(options.Spec)) throw new FileNotFoundException("The spec file does not exist.", options.Spec);
        _options = options;
        _log = log;
    }

    /// <summary>Finds the repository root (the folder holding KsefGen.sln) at or above <paramref name="start"/>.</summary>
    public static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KsefGen.sln"))) return dir.FullName;
        }
        return null;
    }

    /// <summary>The newest official spec, ../shared/ksef-spec/openapi/ksef-openapi-*.json beside the repository (by name), or null.</summary>
    public static string? NewestOfficialSpec(string repoRoot)
    {
        var directory = Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "ksef-spec", "openapi"));
        if (!Directory.Exists(directory)) return null;
        // Official files are named ksef-openapi-YYYY-MM-DD.json, so the ordinal-last name is the newest.
        return Directory.EnumerateFiles(directory, "ksef-openapi-*.json").OrderBy(Path.GetFileName, StringComparer.Ordinal).LastOrDefault();
    }

    /// <summary>Runs every requested scenario and returns the report. Throws <see cref="BuildFailedException"/> when a build fails.</summary>
    public async Task<EditLoopReport> RunAsync(CancellationToken ct = default)
    {
        var work = Directory.CreateTempSubdirectory("ksefgen-editloop-");
        try
        {
            _log.WriteLine($"Workspace: {work.FullName}{(_options.Keep ? " (kept)" : "")}");
            var feed = Path.Combine(work.FullName, "feed");
            var packages = Path.Combine(work.FullName, "packages");
            var version = "0.0.0-editloop." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

            _log.WriteLine($"Packing the generator as {Consumers.PackageId} {version}...");
            var packTime = await Dotnet.RunAsync(_options.RepoRoot,
                ["pack", Path.Combine("generator", "KsefGen.Generator", "KsefGen.Generator.csproj"), "-c", _options.PackConfiguration, "-o", feed, $"-p:Version={version}",
                    .. (_options.PackNoBuild ? (string[])["--no-build"] : [])],
                _options.CompilerServer, ct).ConfigureAwait(false);
            _log.WriteLine($"  packed in {packTime.TotalSeconds:F1} s");

            Consumers.WriteWorkspace(work.FullName, feed, packages, _options.RepoRoot);
            // The spec is copied in, as a user has the downloaded file in the project folder.
            var spec = Path.Combine(work.FullName, "spec", Path.GetFileName(_options.Spec));
            Directory.CreateDirectory(Path.GetDirectoryName(spec)!);
            File.Copy(_options.Spec, spec);

            var results = new List<ScenarioResult>();
            foreach (var scenario in _options.Scenarios)
            {
                results.Add(await RunScenarioAsync(scenario, Path.Combine(work.FullName, Scenarios.Name(scenario)), version, spec, ct).ConfigureAwait(false));
            }

            var machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
            return new EditLoopReport(_options.Spec, version, _options.Rounds, _options.Warmups, machine, _options.CompilerServer, results);
        }
        finally
        {
            if (!_options.Keep)
            {
                try { work.Delete(recursive: true); }
                catch (IOException e) { _log.WriteLine($"Could not delete {work.FullName}: {e.Message}"); }
                catch (UnauthorizedAccessException e) { _log.WriteLine($"Could not delete {work.FullName}: {e.Message}"); }
            }
        }
    }

    private async Task<ScenarioResult> RunScenarioAsync(Scenario scenario, string directory, string version, string spec, CancellationToken ct)
    {
        var name = Scenarios.Name(scenario);
        var empty = Path.Combine(directory, "empty");
        var withSpec = Path.Combine(directory, "with-spec");
        switch (scenario)
        {
            case Scenario.SameProject:
                Consumers.WriteApp(empty, version);
                Consumers.WriteApp(withSpec, version, spec);
                break;
            case Scenario.InProject:
                Consumers.WriteApp(empty, version, inProject: true);
                Consumers.WriteApp(withSpec, version, spec, inProject: true);
                break;
            case Scenario.Subset:
                Consumers.WriteApp(empty, version, tags: _options.SubsetTags, inProject: true);
                Consumers.WriteApp(withSpec, version, spec, _options.SubsetTags, inProject: true);
                break;
            case Scenario.Library:
                var library = Path.Combine(directory, "client-library");
                Consumers.WriteLibrary(library, version, spec);
                Consumers.WriteApp(empty, generatorVersion: null);
                Consumers.WriteApp(withSpec, generatorVersion: null, libraryProject: Path.Combine(library, "KsefClient.csproj"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario));
        }

        _log.WriteLine($"[{name}] restore and first full build (not timed)...");
        foreach (var app in new[] { empty, withSpec })
        {
            await Dotnet.RunAsync(app, ["restore"], _options.CompilerServer, ct).ConfigureAwait(false);
            var full = await Build(app, ct).ConfigureAwait(false);
            _log.WriteLine($"  {Path.GetFileName(app)}: full build {full.TotalSeconds:F1} s");
        }

        var emptyTimes = new List<double>();
        var specTimes = new List<double>();
        for (var round = 1; round <= _options.Warmups + _options.Rounds; round++)
        {
            var warmup = round <= _options.Warmups;
            // Alternate which app builds first, so neither always gets the warmer machine.
            var order = round % 2 == 1 ? new[] { empty, withSpec } : [withSpec, empty];
            var times = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var app in order)
            {
                Consumers.WriteProgram(app, round);
                times[app] = (await Build(app, ct).ConfigureAwait(false)).TotalSeconds;
            }
            if (!warmup)
            {
                emptyTimes.Add(times[empty]);
                specTimes.Add(times[withSpec]);
            }
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(warmup ? "warm-up" : "round")} {(warmup ? round : round - _options.Warmups)}: empty {times[empty]:F2} s, with spec {times[withSpec]:F2} s"));
        }

        var result = new ScenarioResult(name, Scenarios.Goal(scenario), emptyTimes, specTimes);
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{name}] median empty {result.MedianEmpty:F2} s, with spec {result.MedianWithSpec:F2} s, ratio {result.Ratio:F2}x (goal {result.Goal:F1}x)"));
        return result;
    }

    private Task<TimeSpan> Build(string app, CancellationToken ct) =>
        Dotnet.RunAsync(app, ["build", "--no-restore", "-c", "Debug", .. _options.ExtraBuildArguments], _options.CompilerServer, ct);
}
