namespace KsefGen.Generator.Tests;

/// <summary>
/// KsefGenSeparateAssembly, through the packed generator as users get it: in an app the generated client is compiled
/// once into obj/…/ksefgen/$(AssemblyName).Ksef.dll and referenced; an edit of the app's own code does not compile it
/// again, a change of what it comes from does; a project referencing the app compiles against it too; a broken spec
/// still fails the build with a diagnostic in the spec file; the switch turns it off; a library keeps the generated code
/// in itself.
/// </summary>
[Collection(GeneratorPackCollection.Name)]
public sealed class SeparateAssemblyTests
{
    private const string InnerCompileSkipped = "Skipping target \"_KsefGenCompileSeparate\" because all output files are up-to-date";

    [Fact]
    public async Task AnAppReferencesTheClientCompiledOnceInAnAssemblyOfItsOwn()
    {
        var work = Directory.CreateTempSubdirectory("ksefgen-separate-");
        try
        {
            var ct = TestContext.Current.CancellationToken;
            var feed = Path.Combine(work.FullName, "feed");
            var version = "0.1.0-separate." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
            await DotnetCli.RunAsync(RepoPaths.Root, "pack", "generator/KsefGen.Generator/KsefGen.Generator.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}");
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config><add key="globalPackagesFolder" value="{Path.Combine(work.FullName, "packages")}" /></config>
                  <packageSources><add key="ksefgen-local" value="{feed}" /></packageSources>
                </configuration>
                """, ct);
            // Nothing of the repository's build settings above the temp folder: empty Directory.Build files.
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "Directory.Build.props"), "<Project />", ct);
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "Directory.Build.targets"), "<Project />", ct);
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "Directory.Packages.props"), "<Project />", ct);
            var specSource = RepoPaths.NewestOfficialSpec ?? RepoPaths.SandboxSpec;

            // The app: the spec (relative path, as downloaded), a naming file, warnings as errors.
            var app = Path.Combine(work.FullName, "App");
            Directory.CreateDirectory(app);
            File.Copy(specSource, Path.Combine(app, "open-api.json"));
            await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), Project("Exe", version, "open-api.json"), ct);
            var names = Path.Combine(app, "open-api.names.json");
            await File.WriteAllTextAsync(names, """{ "operations": { "GET /sessions/{referenceNumber}": "GetSession" } }""", ct);
            await WriteProgram(app, "first", ct);

            await DotnetCli.RunAsync(app, "build", "-c", "Debug");
            var bin = Path.Combine(app, "bin", "Debug", "net10.0");
            var inner = Path.Combine(app, "obj", "Debug", "net10.0", "ksefgen", "App.Ksef.dll");
            Assert.True(File.Exists(inner), "the generated client is compiled into obj/…/ksefgen/App.Ksef.dll");
            Assert.True(File.Exists(Path.Combine(bin, "App.Ksef.dll")) && File.Exists(Path.Combine(bin, "App.Ksef.xml")), "the assembly and its XML docs are copied to the output");
            Assert.Contains("\"App.Ksef.dll\"", await File.ReadAllTextAsync(Path.Combine(bin, "App.deps.json"), ct));
            Assert.Equal("first assembly=App.Ksef GetSessionAsync=True status=200 (Succeeded)", await Run(app));

            // An edit of the app's own code: the generated client is not compiled again.
            var compiled = File.GetLastWriteTimeUtc(inner);
            await WriteProgram(app, "second", ct);
            var edit = await DotnetCli.RunAsync(app, "build", "-c", "Debug", "-v:n");
            Assert.Contains(InnerCompileSkipped, edit);
            Assert.Equal(compiled, File.GetLastWriteTimeUtc(inner));
            Assert.Equal("second assembly=App.Ksef GetSessionAsync=True status=200 (Succeeded)", await Run(app));

            // A change of the naming file: compiled again, with the new name.
            await File.WriteAllTextAsync(names, """{ "operations": { "GET /sessions/{referenceNumber}": "GetSessionById" } }""", ct);
            var renamed = await DotnetCli.RunAsync(app, "build", "-c", "Debug", "-v:n");
            Assert.DoesNotContain(InnerCompileSkipped, renamed);
            Assert.NotEqual(compiled, File.GetLastWriteTimeUtc(inner));
            Assert.Equal("second assembly=App.Ksef GetSessionAsync=False status=200 (Succeeded)", await Run(app));

            // A project that references the app (its tests) compiles against the generated client too.
            var consumer = Path.Combine(work.FullName, "Consumer");
            Directory.CreateDirectory(consumer);
            await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <OutputType>Exe</OutputType>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="../App/App.csproj" />
                  </ItemGroup>
                </Project>
                """, ct);
            await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), """
                using System.Text.Json;
                using Erp.Ksef;

                var status = JsonSerializer.Deserialize(
                    "{\"status\":{\"code\":200,\"description\":\"ok\"},\"dateCreated\":\"2026-11-22T10:00:00Z\",\"dateUpdated\":\"2026-11-22T10:05:00Z\"}",
                    KsefJsonContext.Default.SessionStatusResponse)!;
                Console.WriteLine($"consumer assembly={typeof(KsefClient).Assembly.GetName().Name} status={status.StatusCode}");
                """, ct);
            var consumerBuild = await DotnetCli.RunAsync(consumer, "build", "-c", "Debug", "-v:n");
            Assert.Contains(InnerCompileSkipped, consumerBuild);
            var consumerBin = Path.Combine(consumer, "bin", "Debug", "net10.0");
            Assert.True(File.Exists(Path.Combine(consumerBin, "App.Ksef.dll")), "the consumer gets the generated client's assembly");
            Assert.Contains("\"App.Ksef.dll\"", await File.ReadAllTextAsync(Path.Combine(consumerBin, "Consumer.deps.json"), ct));
            Assert.Equal("consumer assembly=App.Ksef status=200 (Succeeded)", await Run(consumer));

            // A broken spec: the build fails with the generator's diagnostic located in the spec file.
            var spec = Path.Combine(app, "open-api.json");
            await File.WriteAllTextAsync(spec, """{ "openapi": "3.0.1", "paths": { """, ct);
            var (exitCode, broken) = await DotnetCli.TryRunAsync(app, "build", "-c", "Debug");
            Assert.NotEqual(0, exitCode);
            Assert.Matches(@"open-api\.json\(\d+,\d+\): error KSEFGEN001", broken);
            File.Copy(specSource, spec, overwrite: true);

            // Switched off: the client is generated into the app itself again.
            await DotnetCli.RunAsync(app, "build", "-c", "Debug", "-p:KsefGenSeparateAssembly=false");
            Assert.Equal("second assembly=App GetSessionAsync=False status=200 (Succeeded)", await Run(app));

            // A library keeps the generated client in itself (its consumers and its package see it there).
            var library = Path.Combine(work.FullName, "Lib");
            Directory.CreateDirectory(library);
            File.Copy(specSource, Path.Combine(library, "open-api.json"));
            await File.WriteAllTextAsync(Path.Combine(library, "Lib.csproj"), Project("Library", version, "open-api.json"), ct);
            await DotnetCli.RunAsync(library, "build", "-c", "Debug");
            var libraryBin = Path.Combine(library, "bin", "Debug", "net10.0");
            Assert.True(File.Exists(Path.Combine(libraryBin, "Lib.dll")));
            Assert.False(File.Exists(Path.Combine(libraryBin, "Lib.Ksef.dll")), "a library does not get a separate assembly");
            Assert.False(Directory.Exists(Path.Combine(library, "obj", "Debug", "net10.0", "ksefgen")));
            Assert.Contains("Erp.Ksef.KsefClient", TypeNames(Path.Combine(libraryBin, "Lib.dll")));
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static string Project(string outputType, string version, string spec) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <OutputType>{outputType}</OutputType>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <RootNamespace>Erp</RootNamespace>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="KsefGen.Generator" Version="{version}" PrivateAssets="all" />
            <AdditionalFiles Include="{spec}" KsefGenSpec="true" />
            <AdditionalFiles Include="open-api.names.json" Condition="Exists('open-api.names.json')" />
          </ItemGroup>
        </Project>
        """;

    private static Task WriteProgram(string app, string marker, CancellationToken ct) => File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), $$"""
        using System.Text.Json;
        using Erp.Ksef;

        var status = JsonSerializer.Deserialize(
            "{\"status\":{\"code\":200,\"description\":\"ok\"},\"dateCreated\":\"2026-11-22T10:00:00Z\",\"dateUpdated\":\"2026-11-22T10:05:00Z\"}",
            KsefJsonContext.Default.SessionStatusResponse)!;
        var named = typeof(SessionStatusClient).GetMethods().Any(m => m.Name == "GetSessionAsync");
        Console.WriteLine($"{{marker}} assembly={typeof(KsefClient).Assembly.GetName().Name} GetSessionAsync={named} status={status.StatusCode}");
        """, ct);

    private static List<string> TypeNames(string assembly)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly));
        var reader = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return [.. reader.TypeDefinitions.Select(h => reader.GetTypeDefinition(h)).Select(t => reader.GetString(t.Namespace) + "." + reader.GetString(t.Name))];
    }

    private static async Task<string> Run(string app) => (await DotnetCli.RunAsync(app, "run", "--no-build", "-c", "Debug")).Trim();
}
