namespace KsefGen.Generator.Tests;

/// <summary>
/// The way users get it: dotnet pack produces an analyzer package; a separate consumer project restores it from a
/// local folder feed by PackageReference and builds against the official spec file (or our specs/ document when
/// ../shared is absent), then runs.
/// </summary>
[Collection(GeneratorPackCollection.Name)]
public sealed class PackageTests
{
    [Fact]
    public async Task PackedAnalyzerBuildsAConsumerFromALocalFeed()
    {
        var work = Directory.CreateTempSubdirectory("ksefgen-package-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
            await Dotnet(RepoPaths.Root, "pack", "generator/KsefGen.Generator/KsefGen.Generator.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}");
            var package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
            using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("analyzers/dotnet/cs/KsefGen.Generator.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/Microsoft.OpenApi.dll", entries);
                Assert.Contains("build/KsefGen.Generator.props", entries);
                Assert.Contains("build/KsefGen.Generator.targets", entries);
                Assert.Contains("README.md", entries);
                Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
            }

            var consumer = Path.Combine(work.FullName, "consumer");
            Directory.CreateDirectory(consumer);
            foreach (var file in new[] { "PackageConsumer.csproj", "Program.cs" })
            {
                File.Copy(Path.Combine(RepoPaths.Root, "tests", "PackageConsumer", file), Path.Combine(consumer, file));
            }
            // The official file keeps its own name: what a user downloads is open-api.json.
            var spec = Path.Combine(consumer, "open-api.json");
            File.Copy(RepoPaths.NewestOfficialSpec ?? RepoPaths.SandboxSpec, spec);
            await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="ksefgen-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """, TestContext.Current.CancellationToken);

            var packages = Path.Combine(work.FullName, "packages");
            await Dotnet(consumer, "build", "-c", "Release", $"-p:KsefGenVersion={version}", $"-p:KsefSpec={spec}", $"-p:RestorePackagesPath={packages}");
            var output = await Dotnet(consumer, "run", "--no-build", "-c", "Release");

            var expectedOperations = RepoPaths.NewestOfficialSpec is null ? 20 : 78;
            // Paged lists: 3 in specs/; 16 in the newest official spec (5 by continuation token, 11 by pageOffset).
            var expectedPaged = RepoPaths.NewestOfficialSpec is null ? 3 : 16;
            Assert.Contains($"operations={expectedOperations} paged={expectedPaged} session=200 (Succeeded) terminal=True duplicate=440 client=SessionStatusClient", output);
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string> Dotnet(string directory, params string[] args) => await DotnetCli.RunAsync(directory, args);
}
