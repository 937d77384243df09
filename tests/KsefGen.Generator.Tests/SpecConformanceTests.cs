using System.Text.Json.Nodes;

namespace KsefGen.Generator.Tests;

/// <summary>
/// specs/ is our own document (our English prose) but must keep exactly the official wire format: every operation
/// it declares exists in the newest official spec with the same parameters, bodies, responses, security and
/// extensions, and every schema is the official one once prose is set aside.
/// </summary>
public sealed class SpecConformanceTests
{
    private static readonly HashSet<string> Prose = ["description", "summary", "example", "examples", "x-summary"];

    private static JsonObject Load(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>A copy without prose, so only structure is compared.</summary>
    private static JsonNode? Strip(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Where(p => !Prose.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, Strip(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Strip).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    [Fact]
    public void OperationsAndSchemasMatchTheNewestOfficialSpec()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var ours = Load(RepoPaths.SandboxSpec);
        var official = Load(RepoPaths.NewestOfficialSpec!);
        var problems = new List<string>();

        var operations = 0;
        foreach (var (path, item) in ours["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                operations++;
                var theirs = official["paths"]?[path]?[method];
                if (theirs is null)
                {
                    problems.Add($"{method.ToUpperInvariant()} {path} is not in the official spec");
                    continue;
                }
                foreach (var part in new[] { "parameters", "requestBody", "responses", "security", "tags", "x-rate-limits", "x-required-permissions", "deprecated" })
                {
                    if (!JsonNode.DeepEquals(Strip(operation![part]), Strip(theirs[part])))
                    {
                        problems.Add($"{method.ToUpperInvariant()} {path}: '{part}' differs");
                    }
                }
            }
        }

        var schemas = ours["components"]!["schemas"]!.AsObject();
        foreach (var (name, schema) in schemas)
        {
            var theirs = official["components"]!["schemas"]![name];
            if (theirs is null) problems.Add($"schema {name} is not in the official spec");
            else if (!JsonNode.DeepEquals(Strip(schema), Strip(theirs))) problems.Add($"schema {name} differs");
        }

        // Our schemas are exactly what our operations reach in the official spec, nothing more and nothing less.
        var reached = new HashSet<string>();
        var queue = new Queue<JsonNode?>(
            from path in ours["paths"]!.AsObject()
            from method in path.Value!.AsObject()
            select official["paths"]?[path.Key]?[method.Key]);
        while (queue.Count > 0)
        {
            switch (queue.Dequeue())
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (key == "$ref" && value is JsonValue r && r.GetValue<string>() is var reference && reference.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                        {
                            var target = reference["#/components/schemas/".Length..];
                            if (reached.Add(target)) queue.Enqueue(official["components"]!["schemas"]![target]);
                        }
                        else
                        {
                            queue.Enqueue(value);
                        }
                    }
                    break;
                case JsonArray array:
                    foreach (var value in array) queue.Enqueue(value);
                    break;
            }
        }
        Assert.Equal(reached.Order(), schemas.Select(s => s.Key).Order());
        Assert.Equal(59, operations);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void OurDescriptionsAreOurOwn()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        static IEnumerable<string> Texts(JsonNode? node) => node switch
        {
            JsonObject obj => obj.SelectMany(p => Prose.Contains(p.Key) && p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [s] : Texts(p.Value)),
            JsonArray array => array.SelectMany(Texts),
            _ => [],
        };
        var official = Texts(Load(RepoPaths.NewestOfficialSpec!)).Where(t => t.Length > 30).ToHashSet();
        var copied = Texts(Load(RepoPaths.SandboxSpec)).Where(official.Contains).ToList();
        Assert.Empty(copied);
    }
}
