using System.Globalization;
using KsefGen.EditLoopBench;

// Usage: dotnet run -c Release --project bench/KsefGen.EditLoopBench -- [options]
const string Usage = """
    Usage: dotnet run -c Release --project bench/KsefGen.EditLoopBench -- [options]
      --rounds N         timed rounds per scenario (5)
      --warmups N        untimed edit+rebuild rounds first (2)
      --scenarios LIST   comma-separated: same-project,in-project,library,subset (all)
      --spec FILE        the OpenAPI file (newest ../shared/ksef-spec/openapi/ksef-openapi-*.json)
      --json FILE        also write the report as JSON
      --keep             keep the temporary workspace
      --no-compiler-server  build with UseSharedCompilation=false and no node reuse (a fresh csc per build);
                         by default both are on, as the SDK has them, even if the environment turns them off
      --build-arg ARG    extra argument for every timed build, repeatable (e.g. -clp:PerformanceSummary)
    """;

var root = EditLoop.FindRepoRoot(AppContext.BaseDirectory) ?? EditLoop.FindRepoRoot(Directory.GetCurrentDirectory());
if (root is null)
{
    Console.Error.WriteLine($"KsefGen.sln not found above {AppContext.BaseDirectory}: run the bench from the repository.");
    return 2;
}

int rounds = 5, warmups = 2;
string? spec = null, json = null;
var keep = false;
var compilerServer = true;
var scenarios = Scenarios.All;
var buildArgs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    var arg = args[i];
    if (arg is "--help" or "-h")
    {
        Console.WriteLine(Usage);
        return 0;
    }
    if (arg == "--keep")
    {
        keep = true;
        continue;
    }
    if (arg == "--no-compiler-server")
    {
        compilerServer = false;
        continue;
    }
    if (i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"Not understood: {arg}\n{Usage}");
        return 2;
    }
    var value = args[++i];
    switch (arg)
    {
        case "--rounds" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1:
            rounds = n;
            break;
        case "--warmups" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var w) && w >= 0:
            warmups = w;
            break;
        case "--spec":
            spec = Path.GetFullPath(value);
            break;
        case "--json":
            json = Path.GetFullPath(value);
            break;
        case "--build-arg":
            buildArgs.Add(value);
            break;
        case "--scenarios":
            var parsed = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => (Name: s, Scenario: Scenarios.Parse(s))).ToList();
            var bad = parsed.FirstOrDefault(p => p.Scenario is null).Name;
            if (parsed.Count == 0 || bad is not null)
            {
                Console.Error.WriteLine($"Unknown scenario '{bad ?? value}': use same-project, in-project, library, subset.");
                return 2;
            }
            scenarios = parsed.Select(p => p.Scenario!.Value).Distinct().ToList();
            break;
        default:
            Console.Error.WriteLine($"Not understood: {arg} {value}\n{Usage}");
            return 2;
    }
}

spec ??= EditLoop.NewestOfficialSpec(root);
if (spec is null || !File.Exists(spec))
{
    Console.WriteLine(spec is null
        ? $"No spec: ../shared/ksef-spec/openapi/ksef-openapi-*.json is not beside the repository ({root}) and --spec was not given. Nothing to measure."
        : $"No spec: {spec} does not exist. Nothing to measure.");
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var options = new EditLoopOptions
{
    Spec = spec,
    RepoRoot = root,
    Rounds = rounds,
    Warmups = warmups,
    Scenarios = scenarios,
    Keep = keep,
    CompilerServer = compilerServer,
    ExtraBuildArguments = buildArgs,
};
try
{
    var report = await new EditLoop(options, Console.Out).RunAsync(cancel.Token).ConfigureAwait(false);
    Console.WriteLine();
    Console.Write(report.ToTable());
    if (json is not null)
    {
        await File.WriteAllTextAsync(json, report.ToJson(), cancel.Token).ConfigureAwait(false);
        Console.WriteLine($"JSON: {json}");
    }
    return 0;
}
catch (BuildFailedException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
