namespace KsefGen.Generator.Tests;

/// <summary>Where the repository, its specs and the shared official material are.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string SandboxSpec => Path.Combine(Root, "specs", "ksef-sandbox.openapi.json");

    /// <summary>../shared/ksef-spec beside the repository, or null when it is absent.</summary>
    public static string? SharedSpecDirectory
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(Root, "..", "shared", "ksef-spec"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    public const string SharedMissing = "../shared/ksef-spec is not beside the repository: tests of the official specs are skipped.";

    /// <summary>The official OpenAPI files, oldest first (empty when ../shared is absent).</summary>
    public static IReadOnlyList<string> OfficialSpecs =>
        SharedSpecDirectory is { } dir
            ? Directory.GetFiles(Path.Combine(dir, "openapi"), "*.json").OrderBy(f => f, StringComparer.Ordinal).ToList()
            : [];

    public static string? NewestOfficialSpec => OfficialSpecs.Count > 0 ? OfficialSpecs[^1] : null;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KsefGen.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("KsefGen.sln not found above " + AppContext.BaseDirectory);
    }
}
