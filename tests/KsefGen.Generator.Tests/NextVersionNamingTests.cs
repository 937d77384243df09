using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KsefGen.Generator.Model;
using KsefGen.Generator.Reading;

namespace KsefGen.Generator.Tests;

/// <summary>
/// The next spec version is not in the history: plausible next versions made from every official one (operationIds
/// added, tags reworded or replaced, everything reordered, parameters renamed, new status codes, enum values,
/// schemas and operations) must keep every name of what exists in both: client, method, type, property, enum and
/// status-code members.
/// </summary>
public sealed partial class NextVersionNamingTests
{
    public static TheoryData<string> Mutations() =>
        ["operationIds", "tagsReworded", "tagsReplaced", "reordered", "parametersRenamed", "additions", "all"];

    private static SpecModel Read(string path, string text) =>
        SpecReader.Read(new SpecInput(path, text, "Consumer.Ksef", "KsefClient", null, null), TestContext.Current.CancellationToken);

    [Theory]
    [MemberData(nameof(Mutations))]
    public void NothingPresentInBothVersionsIsRenamed(string mutation)
    {
        Assert.SkipWhen(RepoPaths.OfficialSpecs.Count == 0, RepoPaths.SharedMissing);
        foreach (var path in RepoPaths.OfficialSpecs)
        {
            var text = File.ReadAllText(path);
            var before = Read(path, text);
            var next = Mutate(text, mutation, seed: Path.GetFileName(path).GetHashCode(StringComparison.Ordinal));
            var after = Read(path, next);
            Assert.True(after.Diagnostics.Count == 0, $"{Path.GetFileName(path)}/{mutation}: " + string.Join("; ", after.Diagnostics.Select(d => d.Id + " " + string.Join(",", d.MessageArgs))));

            var renamed = Names(before).Where(pair => Names(after).TryGetValue(pair.Key, out var name) && name != pair.Value)
                .Select(pair => $"{pair.Key}: '{pair.Value}' became '{Names(after)[pair.Key]}'")
                .ToList();
            Assert.True(renamed.Count == 0, $"{Path.GetFileName(path)}/{mutation}: {renamed.Count} renamed:\n" + string.Join("\n", renamed.Take(20)));
            // Nothing was lost either: every operation of the old version is still generated.
            Assert.Equal(before.Clients.Sum(c => c.Operations.Count) + (mutation is "additions" or "all" ? 2 : 0), after.Clients.Sum(c => c.Operations.Count));
        }
    }

    [Fact]
    public void ANewOperationUnderARewordedTagJoinsTheClientOfItsTag()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var path = RepoPaths.NewestOfficialSpec!;
        var after = Read(path, Mutate(File.ReadAllText(path), "all", seed: 7));
        var archive = after.Clients.SelectMany(c => c.Operations.Select(o => (Client: c.Name, Operation: o)))
            .Single(o => o.Operation.Key == "GET /sessions/{}/archive");
        Assert.Equal("SessionStatusClient", archive.Client);
        Assert.Equal("GetSessionsArchive", archive.Operation.Name);
        // A new operation under a new tag gets a client of its own, named from the tag.
        var brandNew = after.Clients.Single(c => c.Operations.Any(o => o.Key == "POST /brand-new/things"));
        Assert.Equal("NoweRzeczyClient", brandNew.Name);
    }

    [Fact]
    public void ANextVersionCompilesCleanly()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var path = RepoPaths.NewestOfficialSpec!;
        var (result, output) = GeneratorHarness.Run(path, Mutate(File.ReadAllText(path), "all", seed: 11));
        Assert.Empty(result.Diagnostics);
        Assert.Null(result.Results[0].Exception);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }

    [Fact]
    public void AnOperationIdNeverNamesAMethod()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var path = RepoPaths.NewestOfficialSpec!;
        var after = Read(path, Mutate(File.ReadAllText(path), "operationIds", seed: 3));
        Assert.DoesNotContain(after.Clients.SelectMany(c => c.Operations), o => o.Name.StartsWith("Zz", StringComparison.Ordinal));
    }

    /// <summary>Every user-visible name keyed by what it names (not by its own name).</summary>
    private static Dictionary<string, string> Names(SpecModel model)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var client in model.Clients)
        {
            foreach (var operation in client.Operations) names["operation " + operation.Key] = client.Name + "." + operation.Name;
        }
        foreach (var type in model.Objects)
        {
            names["schema " + type.SchemaName] = type.Name;
            foreach (var property in type.Properties) names[$"property {type.SchemaName}.{property.JsonName}"] = property.Name;
        }
        foreach (var type in model.Enums)
        {
            names["schema " + type.SchemaName] = type.Name;
            foreach (var member in type.Members) names[$"enum {type.SchemaName}.{member.Value}"] = member.Name;
        }
        foreach (var table in model.StatusTables)
        {
            foreach (var source in table.Sources) names["status table " + source] = table.Name;
            foreach (var row in table.Rows) names[$"status {table.Name}.{row.Code}"] = row.Name;
        }
        return names;
    }

    /// <summary>A plausible next version of an official spec.</summary>
    internal static string Mutate(string text, string mutation, int seed)
    {
        var root = JsonNode.Parse(text)!.AsObject();
        var random = new Random(seed);
        var all = mutation == "all";
        if (all || mutation == "operationIds") AddOperationIds(root, random);
        if (all || mutation == "tagsReworded") RewordTags(root, tag => Reword(tag, random));
        if (mutation == "tagsReplaced") RewordTags(root, _ => "Grupa " + random.Next(1000, 9999));
        if (all || mutation == "parametersRenamed") RenameParameters(root);
        if (all || mutation == "additions") Add(root);
        if (all || mutation == "reordered") Reorder(root);
        return root.ToJsonString();
    }

    private static IEnumerable<JsonObject> Operations(JsonObject root) =>
        root["paths"]!.AsObject().Select(p => p.Value!.AsObject())
            .SelectMany(item => item.Where(o => o.Key is "get" or "post" or "put" or "delete" or "patch").Select(o => o.Value!.AsObject()))
            .ToList();

    private static void AddOperationIds(JsonObject root, Random random)
    {
        var i = 0;
        foreach (var operation in Operations(root)) operation["operationId"] = $"zzOperation{(char)('A' + random.Next(26))}{i++}_{random.Next(100)}";
    }

    /// <summary>The same tag written differently: case, diacritics, spacing and punctuation.</summary>
    private static string Reword(string tag, Random random) => random.Next(3) switch
    {
        0 => tag.ToUpperInvariant() + ".",
        1 => Naming.RemoveDiacritics(tag).ToLowerInvariant(),
        _ => "  " + tag.Replace(" ", "  ", StringComparison.Ordinal) + " ",
    };

    private static void RewordTags(JsonObject root, Func<string, string> reword)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        string Map(string tag) => map.TryGetValue(tag, out var value) ? value : map[tag] = reword(tag);
        foreach (var operation in Operations(root))
        {
            if (operation["tags"] is JsonArray tags)
            {
                for (var i = 0; i < tags.Count; i++) tags[i] = Map(tags[i]!.GetValue<string>());
            }
        }
        if (root["tags"] is JsonArray declared)
        {
            foreach (var tag in declared.OfType<JsonObject>())
            {
                if (tag["name"] is JsonValue name) tag["name"] = Map(name.GetValue<string>());
            }
        }
    }

    private static void RenameParameters(JsonObject root)
    {
        var paths = root["paths"]!.AsObject();
        foreach (var pair in paths.ToList())
        {
            var renamed = PathParameter().Replace(pair.Key, m => "{" + m.Groups[1].Value + "Id}");
            var item = pair.Value!.DeepClone().AsObject();
            foreach (var operation in item.Where(o => o.Value is JsonObject).Select(o => o.Value!.AsObject()))
            {
                if (operation["parameters"] is not JsonArray parameters) continue;
                foreach (var parameter in parameters.OfType<JsonObject>())
                {
                    if (parameter["name"] is JsonValue name && (string?)parameter["in"] is "path" or "query")
                    {
                        parameter["name"] = name.GetValue<string>() + "Id";
                    }
                }
            }
            paths.Remove(pair.Key);
            paths[renamed] = item;
        }
    }

    /// <summary>New status codes in every status table, a new value in every enum, a new schema and two new operations.</summary>
    private static void Add(JsonObject root)
    {
        foreach (var node in Descendants(root).OfType<JsonObject>())
        {
            if (node["description"] is JsonValue description && description.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                var text = description.GetValue<string>();
                // A copy of the 200 row as a new code, so the row has the table's own columns.
                var row = StatusRow().Match(text);
                if (row.Success) node["description"] = text.Insert(row.Index, "| 299 |" + row.Value.Substring(row.Value.IndexOf('|', 1) + 1) + "\n");
            }
            if (node["enum"] is JsonArray values && values.Count > 0 && values[0]!.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                values.Add("BrandNewValue");
            }
        }
        var schemas = root["components"]!["schemas"]!.AsObject();
        schemas["BrandNewThing"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("name"),
            ["properties"] = new JsonObject { ["name"] = new JsonObject { ["type"] = "string" } },
        };
        var paths = root["paths"]!.AsObject();
        // GET /sessions/{referenceNumber} is in every version, with or without the "/api/v2" base path.
        var sessionsKey = paths.Select(p => p.Key).First(k => OperationNaming.NormalizePath(k) == "/sessions/{}" && paths[k]!["get"] is not null);
        var sessionsTag = paths[sessionsKey]!["get"]!["tags"]![0]!.GetValue<string>();
        var basePath = sessionsKey.Substring(0, sessionsKey.IndexOf("/sessions/", StringComparison.Ordinal));
        var ok = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } };
        paths[basePath + "/sessions/{referenceNumber}/archive"] = new JsonObject
        {
            ["get"] = new JsonObject
            {
                ["tags"] = new JsonArray(sessionsTag),
                ["summary"] = "Archiwum sesji",
                ["parameters"] = new JsonArray(new JsonObject { ["name"] = "referenceNumber", ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } }),
                ["responses"] = ok.DeepClone(),
            },
        };
        paths[basePath + "/brand-new/things"] = new JsonObject
        {
            ["post"] = new JsonObject
            {
                ["tags"] = new JsonArray("Nowe rzeczy"),
                ["requestBody"] = new JsonObject
                {
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/BrandNewThing" } } },
                },
                ["responses"] = ok.DeepClone(),
            },
        };
    }

    /// <summary>Paths, operations, parameters, schemas and properties in reverse order.</summary>
    private static void Reorder(JsonObject root)
    {
        ReverseMembers(root["paths"]!.AsObject());
        foreach (var item in root["paths"]!.AsObject().Select(p => p.Value!.AsObject()))
        {
            ReverseMembers(item);
            foreach (var operation in item.Select(o => o.Value).OfType<JsonObject>())
            {
                if (operation["parameters"] is JsonArray parameters) ReverseItems(parameters);
            }
        }
        var schemas = root["components"]!["schemas"]!.AsObject();
        ReverseMembers(schemas);
        foreach (var schema in schemas.Select(s => s.Value).OfType<JsonObject>())
        {
            if (schema["properties"] is JsonObject properties) ReverseMembers(properties);
        }
    }

    private static void ReverseMembers(JsonObject node)
    {
        var members = node.ToList();
        node.Clear();
        for (var i = members.Count - 1; i >= 0; i--) node[members[i].Key] = members[i].Value;
    }

    private static void ReverseItems(JsonArray array)
    {
        var items = array.ToList();
        array.Clear();
        for (var i = items.Count - 1; i >= 0; i--) array.Add(items[i]);
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.Where(c => c is not null).ToList())
        {
            foreach (var descendant in Descendants(child!)) yield return descendant;
        }
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex(@"^\|\s*200\s*\|[^\n]*", RegexOptions.Multiline)]
    private static partial Regex StatusRow();
}
