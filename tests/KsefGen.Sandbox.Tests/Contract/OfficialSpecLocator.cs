using System.Globalization;
using System.Text.RegularExpressions;

namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>
/// Finds the newest official KSeF OpenAPI document in ../shared/ksef-spec (beside the repository root). Test input
/// only: nothing of it is copied into the repository. Versions come and go, so no file name is fixed here: every
/// *.json whose name says "openapi" (or "open-api") and carries a yyyy-MM-dd date counts, and the latest date wins.
/// </summary>
internal static partial class OfficialSpecLocator
{
    /// <summary>The newest dated spec, or null; <paramref name="searched"/> says where it looked (for skip messages).</summary>
    public static string? FindNewest(out string searched)
    {
        var root = RepoRoot();
        if (root is null)
        {
            searched = $"no KsefGen.sln above {AppContext.BaseDirectory}";
            return null;
        }
        var folder = Path.GetFullPath(Path.Combine(root, "..", "shared", "ksef-spec"));
        searched = "looked in " + folder;
        return NewestIn(folder);
    }

    /// <summary>The newest dated OpenAPI spec anywhere under a folder, or null.</summary>
    internal static string? NewestIn(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        return Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .Select(path => (Path: path, Date: DateIn(Path.GetFileName(path))))
            .Where(c => c.Date is not null)
            .OrderBy(c => c.Date)
            .ThenBy(c => Path.GetFileName(c.Path), StringComparer.Ordinal)
            .Select(c => c.Path)
            .LastOrDefault();
    }

    /// <summary>The date in an OpenAPI spec's file name, or null when the name is not a dated OpenAPI spec.</summary>
    internal static DateOnly? DateIn(string fileName)
    {
        var plain = fileName.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        if (!plain.Contains("openapi", StringComparison.OrdinalIgnoreCase)) return null;
        var match = DatePattern().Match(fileName);
        return match.Success && DateOnly.TryParseExact(match.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;
    }

    private static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KsefGen.sln"))) return dir.FullName;
        }
        return null;
    }

    [GeneratedRegex(@"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")]
    private static partial Regex DatePattern();
}
