using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace KsefGen.GettingStarted.Tests;

/// <summary>
/// The README's "Use it in your project", done as a newcomer does it: a fresh copy of the repository in a new folder
/// (a git checkout of the working tree), then every block of the section in order — shell blocks run verbatim in one
/// bash session, file blocks written to the file their paragraph names — and nothing else. What it proves: the
/// solution packs into a folder feed; a new solution restores the generator, runtime and sandbox packages from it,
/// generates, builds, and its test sends an invoice to the in-process sandbox and archives the verified UPO; the two
/// tools install from the feed and ksef-upo syncs. The packages it packed are then inspected: metadata, readme,
/// deterministic and source-linked assemblies.
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    private const string Section = "## Use it in your project";

    /// <summary>The packages <c>dotnet pack KsefGen.sln</c> must produce.</summary>
    private static readonly string[] Packages = ["KsefGen.Generator", "KsefGen.Runtime", "KsefGen.Sandbox", "KsefGen.Sandbox.Testing", "KsefGen.Upo"];

    [Fact]
    public async Task TheReadmesUseItInYourProjectStepsSucceedVerbatimOnAFreshCopy()
    {
        var ct = TestContext.Current.CancellationToken;
        var script = WalkthroughScript(await File.ReadAllTextAsync(Repo.Readme, ct));
        var work = Directory.CreateTempSubdirectory("ksefgen-walkthrough-");
        try
        {
            var clone = Path.Combine(work.FullName, "KsefGen");
            var commit = await CopyRepositoryAsync(clone, ct);
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "walkthrough.sh"), script, ct);

            // A newcomer's machine: a NuGet cache of its own (a KsefGen 0.1.0 restored earlier on this machine must not
            // stand in for the packages this run packs; the README warns users about exactly that) and a .dotnet folder
            // of its own (its local-tool cache would otherwise point at the cache folder of an earlier run).
            var environment = new Dictionary<string, string>
            {
                ["NUGET_PACKAGES"] = Path.Combine(work.FullName, "nuget-packages"),
                ["DOTNET_CLI_HOME"] = Path.Combine(work.FullName, "dotnet-home"),
            };
            var (exitCode, output) = await Repo.RunAsync("bash", ["walkthrough.sh"], work.FullName, environment, TimeSpan.FromMinutes(25), ct);
            Assert.True(exitCode == 0, $"The README's steps failed (exit {exitCode}). Script:\n{script}\nOutput:\n{Tail(output)}");

            // The user's test ran and passed: one test, the invoice sent to the sandbox and its UPO archived.
            Assert.Matches(FailedNonePassedOne(), output);
            // ksef-upo installed from the feed walked the in-process sandbox and archived UPOs.
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(work.FullName, "MyErp", "upo"), "*-upo.xml", SearchOption.AllDirectories));

            var feed = Path.Combine(work.FullName, "ksefgen-feed");
            foreach (var id in Packages) CheckPackage(Path.Combine(feed, $"{id}.0.1.0.nupkg"), commit);
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Fact]
    public void TheWalkthroughParserTurnsBlocksIntoOneScript()
    {
        var markdown = """
            ## Use it in your project

            Pack:

            ```bash
            dotnet pack X.sln
            cd ..
            ```

            Then `My/Project.csproj`:

            ```xml
            <Project />
            ```

            ## Next
            ```bash
            not part of it
            ```
            """;
        var script = WalkthroughScript(markdown);
        Assert.Contains("dotnet pack X.sln\ncd ..\n", script, StringComparison.Ordinal);
        Assert.Contains("mkdir -p 'My' && cat > 'My/Project.csproj' <<'KSEFGEN_README_EOF'\n<Project />\nKSEFGEN_README_EOF", script, StringComparison.Ordinal);
        Assert.DoesNotContain("not part of it", script, StringComparison.Ordinal);
        Assert.True(script.IndexOf("dotnet pack", StringComparison.Ordinal) < script.IndexOf("<Project />", StringComparison.Ordinal));

        // A file block whose paragraph names no file (or two) cannot be placed: the test says so instead of skipping it.
        var ambiguous = markdown.Replace("Then `My/Project.csproj`:", "Then `My/A.csproj` or `My/B.csproj`:", StringComparison.Ordinal);
        Assert.Contains("names 2 files", Assert.Throws<InvalidOperationException>(() => WalkthroughScript(ambiguous)).Message, StringComparison.Ordinal);
    }

    /// <summary>The section as one bash script, run from the folder that holds the clone (named KsefGen).</summary>
    internal static string WalkthroughScript(string markdown)
    {
        var start = markdown.IndexOf(Section + "\n", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"The README has no \"{Section}\" section.");
        var end = markdown.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        var section = markdown[start..(end < 0 ? markdown.Length : end)];

        var script = new StringBuilder("set -euo pipefail\nset -x\ncd KsefGen\n");
        var previousEnd = 0;
        foreach (Match block in Fence().Matches(section))
        {
            var language = block.Groups["lang"].Value;
            var body = block.Groups["body"].Value;
            if (language is "bash" or "sh" or "shell")
            {
                script.Append(body).Append('\n');
            }
            else
            {
                var paragraph = section[previousEnd..block.Index];
                var files = FilePath().Matches(paragraph).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
                if (files.Count != 1)
                {
                    throw new InvalidOperationException($"The {language} block at offset {block.Index} of \"{Section}\" names {files.Count} files in the text before it; it needs exactly one `path/file.ext`.");
                }
                var file = files[0];
                var directory = Path.GetDirectoryName(file)!.Replace('\\', '/');
                script.Append($"mkdir -p '{directory}' && cat > '{file}' <<'KSEFGEN_README_EOF'\n{body}\nKSEFGEN_README_EOF\n");
            }
            previousEnd = block.Index + block.Length;
        }
        return script.ToString();
    }

    /// <summary>Copies the working tree (tracked and new files, not ignored ones) into a fresh git repository; returns its commit.</summary>
    private static async Task<string> CopyRepositoryAsync(string target, CancellationToken ct)
    {
        var (code, list) = await Repo.RunAsync("git", ["ls-files", "-co", "--exclude-standard"], Repo.Root, null, TimeSpan.FromMinutes(1), ct);
        Assert.True(code == 0, "git ls-files failed: " + list);
        foreach (var relative in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var source = Path.Combine(Repo.Root, relative);
            if (!File.Exists(source)) continue; // deleted in the working tree
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
        }
        foreach (var args in new[]
                 {
                     new[] { "init", "-q", "-b", "main" },
                     ["add", "-A"],
                     ["-c", "user.name=KsefGen walkthrough", "-c", "user.email=walkthrough@ksefgen.invalid", "commit", "-q", "-m", "working tree"],
                 })
        {
            var (exit, text) = await Repo.RunAsync("git", args, target, null, TimeSpan.FromMinutes(1), ct);
            Assert.True(exit == 0, $"git {string.Join(' ', args)} failed: {text}");
        }
        var (_, head) = await Repo.RunAsync("git", ["rev-parse", "HEAD"], target, null, TimeSpan.FromMinutes(1), ct);
        return head.Trim();
    }

    /// <summary>What a package on nuget.org is expected to carry, and assemblies a debugger can step into from the repository.</summary>
    private static void CheckPackage(string path, string commit)
    {
        Assert.True(File.Exists(path), $"dotnet pack KsefGen.sln did not produce {Path.GetFileName(path)}.");
        using var zip = ZipFile.OpenRead(path);
        var nuspecEntry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        XElement metadata;
        using (var stream = nuspecEntry.Open()) metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Meta(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        XElement? Element(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name);

        var id = Meta("id");
        Assert.False(string.IsNullOrWhiteSpace(Meta("description")), $"{id}: no description");
        Assert.False(string.IsNullOrWhiteSpace(Meta("tags")), $"{id}: no tags");
        Assert.Equal("expression", Element("license")?.Attribute("type")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(Meta("license")), $"{id}: no licence expression");
        var readme = Meta("readme");
        Assert.False(string.IsNullOrWhiteSpace(readme), $"{id}: no readme");
        Assert.Contains(zip.Entries, e => e.FullName == readme);

        var repository = Element("repository");
        var url = repository?.Attribute("url")?.Value;
        Assert.True(url is not null && url.StartsWith("https://", StringComparison.Ordinal), $"{id}: repository url missing: {repository}");
        Assert.Equal(commit, repository!.Attribute("commit")?.Value);

        var assemblies = zip.Entries.Where(e => e.Name.StartsWith("KsefGen.", StringComparison.Ordinal) && e.Name.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(assemblies);
        foreach (var entry in assemblies) CheckAssembly(id + "/" + entry.FullName, entry, url!, commit);
    }

    /// <summary>Deterministic (a reproducible build, source paths mapped to /_/) and source-linked to the commit packed.</summary>
    private static void CheckAssembly(string name, ZipArchiveEntry entry, string repositoryUrl, string commit)
    {
        using var buffer = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(buffer);
        buffer.Position = 0;
        using var pe = new PEReader(buffer);
        var debug = pe.ReadDebugDirectory();
        Assert.True(debug.Any(d => d.Type == DebugDirectoryEntryType.Reproducible), $"{name}: not a deterministic build");
        var embedded = debug.Where(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb).ToList();
        Assert.True(embedded.Count == 1, $"{name}: no embedded PDB");
        using var pdbProvider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded[0]);
        var pdb = pdbProvider.GetMetadataReader();

        var documents = pdb.Documents.Select(h => pdb.GetString(pdb.GetDocument(h).Name)).ToList();
        Assert.NotEmpty(documents);
        var unmapped = documents.Where(d => !d.StartsWith("/_/", StringComparison.Ordinal)).ToList();
        Assert.True(unmapped.Count == 0, $"{name}: source paths not mapped to /_/: {string.Join(", ", unmapped.Take(3))}");

        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        var sourceLink = pdb.CustomDebugInformation
            .Select(pdb.GetCustomDebugInformation)
            .Where(c => pdb.GetGuid(c.Kind) == sourceLinkKind)
            .Select(c => Encoding.UTF8.GetString(pdb.GetBlobBytes(c.Value)))
            .SingleOrDefault();
        Assert.True(sourceLink is not null, $"{name}: no SourceLink");
        var expected = repositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal).TrimEnd('/') + "/" + commit + "/*";
        Assert.True(sourceLink.Contains(expected, StringComparison.Ordinal), $"{name}: SourceLink {sourceLink} does not point at {expected}");
    }

    private static string Tail(string output) => output.Length <= 20_000 ? output : "...\n" + output[^20_000..];

    [GeneratedRegex(@"^```(?<lang>[A-Za-z]*)\n(?<body>.*?)\n```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"`((?:[\w.-]+/)+[\w.-]+\.\w+)`")]
    private static partial Regex FilePath();

    [GeneratedRegex(@"Failed:\s+0, Passed:\s+1,")]
    private static partial Regex FailedNonePassedOne();
}
