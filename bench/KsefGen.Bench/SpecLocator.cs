namespace KsefGen.Bench;

/// <summary>Finds the KSeF spec the benchmark runs on.</summary>
internal static class SpecLocator
{
    public const string OverrideVariable = "KSEFGEN_BENCH_SPEC";

    /// <summary>
    /// The spec path: KSEFGEN_BENCH_SPEC if set, else the newest (by dated file name) ../shared/ksef-spec/openapi/*.json
    /// beside the repo root. Null when there is none; <paramref name="searched"/> says where it looked.
    /// </summary>
    public static string? Find(out string searched)
    {
        var overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            searched = $"{OverrideVariable}={overridden}";
            return File.Exists(overridden) ? Path.GetFullPath(overridden) : null;
        }

        var root = FindRepoRoot();
        if (root is null)
        {
            searched = $"no KsefGen.sln above {AppContext.BaseDirectory}";
            return null;
        }

        var directory = Path.GetFullPath(Path.Combine(root, "..", "shared", "ksef-spec", "openapi"));
        searched = Path.Combine(directory, "*.json");
        if (!Directory.Exists(directory)) return null;
        // Official files are named ksef-openapi-YYYY-MM-DD.json, so the ordinal-last name is the newest.
        return Directory.EnumerateFiles(directory, "*.json")
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .LastOrDefault();
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KsefGen.sln"))) return dir.FullName;
        }
        return null;
    }
}
