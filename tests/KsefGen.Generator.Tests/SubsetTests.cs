using KsefGen.Generator.Model;
using KsefGen.Generator.Reading;
using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>
/// Generating part of a spec (KsefGenTags / KsefGenPaths / KsefGenOperations): the operations selected, exactly the
/// schemas they reach, and every name as the whole spec has it.
/// </summary>
public sealed class SubsetTests
{
    private static SpecModel Read(string path, OperationSelection selection) =>
        SpecReader.Read(new SpecInput(path, File.ReadAllText(path), "Consumer.Ksef", "KsefClient", null, null, selection), TestContext.Current.CancellationToken);

    public static TheoryData<string?, string?, string?, string> Selections() => new()
    {
        // tags, paths, operations, the operation keys expected (a regex over "METHOD /path")
        { "SessionStatus", null, null, "^GET /sessions" },
        { "Status wysylki i upo", null, null, "^GET /sessions" },
        { "SessionStatusClient;Tokens", null, null, "^(GET /sessions|[A-Z]+ /tokens)" },
        { null, "/auth", null, "^[A-Z]+ /auth/" },
        { null, "/v2/sessions/online", null, "^POST /sessions/online" },
        { null, null, "GetSessionStatusAsync;POST /sessions/online", "^(GET /sessions/\\{\\}|POST /sessions/online)$" },
        { "Tokens", "/sessions/batch", "GetAuthChallenge", "^([A-Z]+ /tokens|POST /sessions/batch|POST /auth/challenge)" },
    };

    [Theory]
    [MemberData(nameof(Selections))]
    public void ASubsetHasTheSelectedOperationsTheSchemasTheyReachAndTheSameNames(string? tags, string? paths, string? operations, string expected)
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var spec = RepoPaths.NewestOfficialSpec!;
        var full = Read(spec, OperationSelection.All);
        var subset = Read(spec, OperationSelection.Parse(tags, paths, operations));
        Assert.Empty(subset.Diagnostics);

        // The operations: those the selectors name, and only those, each with its whole-spec client and method name.
        var fullOperations = full.Clients.SelectMany(c => c.Operations.Select(o => (Key: o.Key, Name: c.Name + "." + o.Name, Operation: o))).ToList();
        var kept = subset.Clients.SelectMany(c => c.Operations.Select(o => (Key: o.Key, Name: c.Name + "." + o.Name, Operation: o))).ToList();
        var wanted = fullOperations.Where(o => System.Text.RegularExpressions.Regex.IsMatch(o.Key, expected)).ToList();
        Assert.NotEmpty(wanted);
        Assert.Equal(wanted.Select(o => o.Key + " " + o.Name).Order(), kept.Select(o => o.Key + " " + o.Name).Order());
        Assert.All(kept, o => Assert.Equal(fullOperations.Single(f => f.Key == o.Key).Operation, o.Operation));

        // The types: every one the kept operations reach (nothing dangles) ...
        var objects = subset.Objects.ToDictionary(o => o.Name);
        var enums = subset.Enums.Select(e => e.Name).ToHashSet();
        var referenced = new HashSet<string>();
        void Use(TypeRef? type)
        {
            for (var t = type; t is not null; t = t.Element)
            {
                if (t.Name is { } name) referenced.Add(name);
            }
        }
        foreach (var (_, _, operation) in kept)
        {
            foreach (var parameter in operation.Parameters) Use(parameter.Type);
            Use(operation.Body?.Type);
            Use(operation.Response.Type);
        }
        foreach (var model in subset.Objects)
        {
            foreach (var property in model.Properties) Use(property.Type);
        }
        Assert.All(referenced, name => Assert.True(objects.ContainsKey(name) || enums.Contains(name), $"{name} is used but not generated"));
        // ... and nothing else.
        Assert.All(objects.Keys.Concat(enums), name => Assert.True(referenced.Contains(name), $"{name} is generated but nothing selected uses it"));
        var statusTypes = subset.Objects.SelectMany(o => o.Properties).Select(p => p.StatusCodeType).OfType<string>().ToHashSet();
        Assert.Equal(statusTypes.Order(), subset.StatusTables.Select(t => t.Name).Order());

        // Names are the whole spec's names, and the subset really is smaller.
        Assert.All(subset.Objects, o => Assert.Equal(full.Objects.Single(f => f.SchemaName == o.SchemaName), o));
        Assert.All(subset.Enums, e => Assert.Equal(full.Enums.Single(f => f.SchemaName == e.SchemaName), e));
        Assert.True(subset.Objects.Count < full.Objects.Count / 2, $"{subset.Objects.Count} of {full.Objects.Count} models");
    }

    [Fact]
    public void TheSessionStatusSubsetKeepsItsStatusTypesAndDropsTheRest()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var subset = Read(RepoPaths.NewestOfficialSpec!, OperationSelection.Parse("SessionStatus", null, null));
        var tables = subset.StatusTables.Select(t => t.Name).ToList();
        Assert.Contains("SessionStatusCode", tables);
        Assert.Contains("InvoiceStatusCode", tables);
        Assert.DoesNotContain("AuthenticationStatusCode", tables);
        Assert.DoesNotContain(subset.Objects, o => o.SchemaName == "GenerateTokenRequest");
    }

    [Fact]
    public void ASelectorThatMatchesNothingIsAWarningNamingIt()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var subset = Read(RepoPaths.NewestOfficialSpec!, OperationSelection.Parse("SessionStatus;Sesje", "/nothing-here", "GetSessionStatusAsync;GetNothing"));
        Assert.Equal(
            ["KsefGenOperations|GetNothing", "KsefGenPaths|/nothing-here", "KsefGenTags|Sesje"],
            subset.Diagnostics.Select(d => d.Id == "KSEFGEN011" ? string.Join("|", d.MessageArgs) : d.Id).Order());
        Assert.NotEmpty(subset.Clients);
    }

    [Fact]
    public void TheSubsetMetadataOnTheSpecItemReachesTheGeneratorAndCompilesCleanly()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var spec = RepoPaths.NewestOfficialSpec!;
        var fileOptions = new Dictionary<string, Dictionary<string, string>>
        {
            [spec] = new()
            {
                ["build_metadata.AdditionalFiles.KsefGenSpec"] = "true",
                ["build_metadata.AdditionalFiles.KsefGenTags"] = "Authentication; SessionStatus",
            },
        };
        // The project-wide property applies where the item says nothing, and the item's metadata wins over it.
        var globalOptions = new Dictionary<string, string>
        {
            ["build_property.KsefGenNamespace"] = "Consumer.Ksef",
            ["build_property.KsefGenTags"] = "Tokens",
            ["build_property.KsefGenPaths"] = "/security",
        };
        var driver = GeneratorHarness.CreateDriver([new InMemoryText(spec, File.ReadAllText(spec))], globalOptions, fileOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.CreateCompilation("namespace Consumer { internal static class Marker { } }"), out var output, out _, TestContext.Current.CancellationToken);
        var result = driver.GetRunResult();
        Assert.Empty(result.Diagnostics);
        Assert.Null(result.Results[0].Exception);
        Assert.Empty(GeneratorHarness.Problems(output));

        Assert.NotNull(output.GetTypeByMetadataName("Consumer.Ksef.AuthenticationClient"));
        Assert.NotNull(output.GetTypeByMetadataName("Consumer.Ksef.SessionStatusClient"));
        Assert.NotNull(output.GetTypeByMetadataName("Consumer.Ksef.PublicKeyCertificatesClient"));
        Assert.Null(output.GetTypeByMetadataName("Consumer.Ksef.TokensClient"));
        Assert.Null(output.GetTypeByMetadataName("Consumer.Ksef.OnlineSessionClient"));
        var root = output.GetTypeByMetadataName("Consumer.Ksef.KsefClient");
        Assert.NotNull(root);
        Assert.Equal(
            ["Authentication", "PublicKeyCertificates", "SessionStatus"],
            root!.GetMembers().OfType<IPropertySymbol>().Where(p => p.Type.Name.EndsWith("Client", StringComparison.Ordinal) && p.Name != "HttpClient").Select(p => p.Name).Order());
    }
}
