using System.Globalization;
using System.Security;
using System.Xml.Linq;

namespace KsefGen.EditLoopBench;

/// <summary>Writes the temporary workspace: nuget.config, the consumer projects and their Program.cs.</summary>
internal static class Consumers
{
    public const string PackageId = "KsefGen.Generator";

    /// <summary>
    /// The workspace root: an empty Directory.Build.props/targets (nothing above leaks in) and a nuget.config whose
    /// sources are the local feed (the only one for KsefGen.Generator) and the machine's configured ones, with the
    /// packages folder inside the workspace so no NuGet cache gets in the way.
    /// </summary>
    public static void WriteWorkspace(string root, string feed, string packages, string repoRoot)
    {
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />\n");

        var sources = MachineSources(repoRoot).Where(s => !string.Equals(s.Value, feed, StringComparison.Ordinal)).ToList();
        var config = new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", packages))),
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "ksefgen-editloop-feed"), new XAttribute("value", feed)),
                sources.Select(s => new XElement("add", new XAttribute("key", s.Key), new XAttribute("value", s.Value)))),
            // The generator only from the local feed; anything else (nothing, for these apps) from the machine's sources.
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "ksefgen-editloop-feed"),
                    new XElement("package", new XAttribute("pattern", PackageId))),
                sources.Select(s => new XElement("packageSource", new XAttribute("key", s.Key),
                    new XElement("package", new XAttribute("pattern", "*"))))));
        new XDocument(new XDeclaration("1.0", "utf-8", null), config).Save(Path.Combine(root, "nuget.config"));
    }

    /// <summary>The package sources of the user's NuGet.Config and the repository's nuget.config, if any.</summary>
    private static List<KeyValuePair<string, string>> MachineSources(string repoRoot)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var files = new[]
        {
            Path.Combine(home, ".nuget", "NuGet", "NuGet.Config"),
            Path.Combine(home, ".nuget", "NuGet", "nuget.config"),
            Path.Combine(repoRoot, "nuget.config"),
            Path.Combine(repoRoot, "NuGet.Config"),
        };
        var sources = new List<KeyValuePair<string, string>>();
        foreach (var file in files.Distinct(StringComparer.Ordinal).Where(File.Exists))
        {
            XDocument doc;
            try { doc = XDocument.Load(file); }
            catch (System.Xml.XmlException) { continue; }
            var section = doc.Root?.Element("packageSources");
            if (section is null) continue;
            foreach (var element in section.Elements())
            {
                var key = (string?)element.Attribute("key");
                switch (element.Name.LocalName)
                {
                    case "clear":
                        sources.Clear();
                        break;
                    case "remove" when key is not null:
                        sources.RemoveAll(s => s.Key == key);
                        break;
                    case "add" when key is not null && (string?)element.Attribute("value") is { } value:
                        sources.RemoveAll(s => s.Key == key);
                        sources.Add(new(key, value));
                        break;
                }
            }
        }
        return sources;
    }

    /// <summary>
    /// A console app. <paramref name="generatorVersion"/> null: no generator package. <paramref name="inProject"/>:
    /// KsefGenSeparateAssembly=false (the generated code compiled with the app).
    /// </summary>
    public static void WriteApp(string directory, string? generatorVersion, string? spec = null, string? tags = null, string? libraryProject = null, bool inProject = false)
    {
        Directory.CreateDirectory(directory);
        var items = new List<string>();
        if (generatorVersion is not null)
        {
            items.Add($"""    <PackageReference Include="{PackageId}" Version="{generatorVersion}" PrivateAssets="all" />""");
        }
        if (spec is not null)
        {
            items.Add(SpecItem(spec, tags));
        }
        if (libraryProject is not null)
        {
            items.Add($"""    <ProjectReference Include="{SecurityElement.Escape(libraryProject)}" />""");
        }
        File.WriteAllText(Path.Combine(directory, "App.csproj"), Project("Exe", tags is not null, items, inProject));
        WriteProgram(directory, 0);
    }

    /// <summary>A class library that holds the spec and references the generator package.</summary>
    public static void WriteLibrary(string directory, string generatorVersion, string spec)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "KsefClient.csproj"), Project("Library", false,
        [
            $"""    <PackageReference Include="{PackageId}" Version="{generatorVersion}" PrivateAssets="all" />""",
            SpecItem(spec, null),
        ]));
    }

    /// <summary>
    /// Program.cs of every app: identical with and without the spec (it calls nothing generated), one line changing
    /// with the round so each build has a real edit to compile.
    /// </summary>
    public static void WriteProgram(string directory, int round) =>
        File.WriteAllText(Path.Combine(directory, "Program.cs"), string.Create(CultureInfo.InvariantCulture, $$"""
            // Edit-loop bench app: the line below changes every round.
            var greeting = "edit-loop";
            Console.WriteLine($"{greeting}: round {{round}}");

            """));

    private static string SpecItem(string spec, string? tags) =>
        tags is null
            ? $"""    <AdditionalFiles Include="{SecurityElement.Escape(spec)}" KsefGenSpec="true" />"""
            : $"""    <AdditionalFiles Include="{SecurityElement.Escape(spec)}" KsefGenSpec="true" KsefGenTags="{SecurityElement.Escape(tags)}" />""";

    private static string Project(string outputType, bool subsetMetadata, IEnumerable<string> items, bool inProject = false)
    {
        // The subset metadata is made visible here, whatever the package's props say (a generator without subsets ignores it).
        var visible = subsetMetadata
            ? """

              <ItemGroup>
                <CompilerVisibleItemMetadata Include="AdditionalFiles" MetadataName="KsefGenTags" />
              </ItemGroup>

            """
            : "\n";
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>{outputType}</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RootNamespace>EditLoop</RootNamespace>{(inProject ? "\n    <KsefGenSeparateAssembly>false</KsefGenSeparateAssembly>" : "")}
              </PropertyGroup>

              <ItemGroup>
            {string.Join('\n', items)}
              </ItemGroup>
            {visible}</Project>

            """;
    }
}
