using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>Approved-file snapshots of what the generator emits.</summary>
public sealed class SnapshotTests
{
    /// <summary>Every generated file for our own specs/ document, text for text.</summary>
    [Fact]
    public void SandboxSpecOutputMatchesApprovedFiles()
    {
        var (result, _) = GeneratorHarness.Run(RepoPaths.SandboxSpec, File.ReadAllText(RepoPaths.SandboxSpec));
        var files = result.Results[0].GeneratedSources.ToDictionary(
            s => s.HintName.Substring(0, s.HintName.Length - ".cs".Length).Replace('\\', '/'),
            s => s.SourceText.ToString());
        Snapshot.VerifyAll("Sandbox", files, "cs");
    }

    /// <summary>
    /// For the newest official spec: the public API surface of the generated code (every public type and member
    /// signature) and a manifest of every file with its hash. The generated text itself carries the Ministry's
    /// Polish descriptions, so it stays out of the repository: the hash still catches any change to it.
    /// </summary>
    [Fact]
    public void NewestOfficialSpecApiMatchesApprovedFiles()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var path = RepoPaths.NewestOfficialSpec!;
        var (result, output) = GeneratorHarness.Run(path, File.ReadAllText(path));
        var manifest = new StringBuilder();
        foreach (var source in result.Results[0].GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            var text = source.SourceText.ToString().Replace("\r\n", "\n");
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
            manifest.Append(source.HintName).Append(' ').Append(text.Count(c => c == '\n')).Append(" lines ").Append(hash).Append('\n');
        }
        var files = new Dictionary<string, string>
        {
            ["manifest"] = manifest.ToString(),
            ["api"] = ApiSurface.Describe(output, "Consumer.Ksef"),
        };
        Snapshot.VerifyAll("OfficialNewest", files, "txt");
    }
}
