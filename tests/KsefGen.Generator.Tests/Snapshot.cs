namespace KsefGen.Generator.Tests;

/// <summary>
/// Approved-files snapshots (Verify is not in the registry): the approved text is committed as
/// <c>Snapshots/{name}.verified.{ext}</c>; on a mismatch the actual text is written beside it as
/// <c>.received.{ext}</c> and the test fails. Set KSEFGEN_ACCEPT_SNAPSHOTS=1 to accept the received text.
/// </summary>
internal static class Snapshot
{
    public static string Directory { get; } = Path.Combine(RepoPaths.Root, "tests", "KsefGen.Generator.Tests", "Snapshots");

    public static bool Accepting => Environment.GetEnvironmentVariable("KSEFGEN_ACCEPT_SNAPSHOTS") == "1";

    /// <summary>Returns null when <paramref name="actual"/> matches the approved file, else a description of the difference.</summary>
    public static string? Compare(string name, string extension, string actual)
    {
        actual = actual.Replace("\r\n", "\n");
        var verified = Path.Combine(Directory, name + ".verified." + extension);
        var received = Path.Combine(Directory, name + ".received." + extension);
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return null;
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(verified)!);
        if (Accepting)
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return null;
        }
        File.WriteAllText(received, actual);
        if (expected is null) return $"{name}: no approved snapshot; received text written to {received}";
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line]) line++;
        return $"{name}: differs at line {line + 1}\n  approved: {(line < a.Length ? a[line] : "<end>")}\n  received: {(line < b.Length ? b[line] : "<end>")}\n  (received text in {received})";
    }

    /// <summary>Verifies a set of files; snapshots that are approved but no longer produced fail too.</summary>
    public static void VerifyAll(string folder, IReadOnlyDictionary<string, string> files, string extension)
    {
        var failures = new List<string>();
        foreach (var (name, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (Compare(Path.Combine(folder, name), extension, text) is { } failure) failures.Add(failure);
        }
        var root = Path.Combine(Directory, folder);
        if (System.IO.Directory.Exists(root))
        {
            foreach (var file in System.IO.Directory.GetFiles(root, "*.verified." + extension, SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                var key = relative.Substring(0, relative.Length - (".verified." + extension).Length);
                if (files.ContainsKey(key)) continue;
                if (Accepting) File.Delete(file);
                else failures.Add($"{folder}/{key}: approved snapshot is no longer generated");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)) + (failures.Count > 10 ? $"\n... and {failures.Count - 10} more" : ""));
    }
}
