using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>
/// Randomly broken copies of our spec and of the official ones: every one must end in KSEFGEN diagnostics located in the
/// spec file, never in a generator exception (CS8785, AD0001, KSEFGEN009), and the code generated from it must compile
/// without a single warning (nullable on, warnings as errors).
/// </summary>
/// <remarks>
/// Deterministic: case <c>i</c> uses seed <c>BaseSeed + i</c>, which picks the source, the slice of it and the mutations.
/// A failure prints the seed and the mutations and writes the mutated spec to the temp folder. KSEFGEN_FUZZ_CASES sets
/// the number of cases (default 300), KSEFGEN_FUZZ_FIRST_SEED the first seed (to explore others), KSEFGEN_FUZZ_SEED
/// runs that one seed only. Each case is a slice of a spec (a few
/// path items and the components they reach, plus a few more schemas): a whole official spec takes about two seconds
/// to generate and compile, a slice about a tenth of that, and the mutations hit the same constructs.
/// </remarks>
public sealed class SpecFuzzTests(ITestOutputHelper output)
{
    private const int BaseSeed = 10_000;
    private const string SpecPath = "/specs/fuzz.openapi.json";

    private static readonly Lazy<IReadOnlyList<(string Name, JsonObject Document, string Text)>> Sources = new(() =>
        new[] { RepoPaths.SandboxSpec }.Concat(RepoPaths.OfficialSpecs)
            .Select(path =>
            {
                var text = File.ReadAllText(path);
                return (Path.GetFileName(path), (JsonObject)JsonNode.Parse(text)!, text);
            })
            .ToList());

    private static readonly Lazy<Compilation> Consumer = new(() => GeneratorHarness.CreateCompilation("namespace Consumer { internal static class Marker { } }"));

    [Fact]
    public void MutatedSpecsEndInSpecDiagnosticsNeverInExceptionsOrCompilerDiagnostics()
    {
        var only = Environment.GetEnvironmentVariable("KSEFGEN_FUZZ_SEED");
        var count = int.TryParse(Environment.GetEnvironmentVariable("KSEFGEN_FUZZ_CASES"), out var n) ? n : 300;
        var first = int.TryParse(Environment.GetEnvironmentVariable("KSEFGEN_FUZZ_FIRST_SEED"), out var f) ? f : BaseSeed;
        var seeds = only is not null ? [int.Parse(only, CultureInfo.InvariantCulture)] : Enumerable.Range(first, count).ToArray();
        if (RepoPaths.SharedSpecDirectory is null) output.WriteLine(RepoPaths.SharedMissing + " The fuzz cases use specs/ only.");

        var failures = new List<string>();
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        foreach (var seed in seeds)
        {
            var (source, mutations, text) = MakeCase(seed);
            foreach (var mutation in mutations) kinds[mutation.Split(':')[0]] = kinds.GetValueOrDefault(mutation.Split(':')[0]) + 1;
            var problems = Check(text);
            if (problems.Count == 0) continue;
            var file = Path.Combine(Path.GetTempPath(), "ksefgen-fuzz", seed.ToString(CultureInfo.InvariantCulture) + ".openapi.json");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
            failures.Add($"seed {seed} ({source}; {string.Join("; ", mutations)}), spec written to {file}:\n    " + string.Join("\n    ", problems.Take(5)));
        }
        output.WriteLine($"{seeds.Length} cases in {watch.Elapsed.TotalSeconds:0.0} s; mutations: {string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => k.Key + " " + k.Value))}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {seeds.Length} cases failed (re-run one with KSEFGEN_FUZZ_SEED=<seed>):\n" + string.Join("\n", failures.Take(30)));
    }

    /// <summary>What is wrong with the generator's handling of one spec text: empty when all is well.</summary>
    internal static List<string> Check(string text)
    {
        var problems = new List<string>();
        GeneratorDriverRunResult result;
        Compilation compilation;
        try
        {
            (result, compilation) = GeneratorHarness.Run(Consumer.Value, SpecPath, text);
        }
        catch (Exception ex)
        {
            problems.Add("the driver threw " + ex);
            return problems;
        }
        if (result.Results[0].Exception is { } exception) problems.Add("generator exception: " + exception.GetType().Name + ": " + exception.Message);
        foreach (var diagnostic in result.Diagnostics)
        {
            if (!diagnostic.Id.StartsWith("KSEFGEN", StringComparison.Ordinal) || diagnostic.Id == "KSEFGEN009")
            {
                problems.Add("generator diagnostic " + diagnostic);
            }
            else if (diagnostic.Location.GetLineSpan().Path != SpecPath)
            {
                problems.Add("not located in the spec: " + diagnostic);
            }
        }
        foreach (var diagnostic in CompilerProblems(compilation))
        {
            problems.Add("compiler: " + diagnostic + " | " + LineOf(diagnostic));
        }
        return problems;
    }

    /// <summary>The files whose text does not depend on the spec (only on the namespace, which is fixed here).</summary>
    private static readonly string[] FixedFiles = ["/KsefApiException.g.cs", "/KsefResponses.g.cs", "/Internal/KsefJson.g.cs", "/Internal/KsefPaging.g.cs", "/Internal/KsefHttp.g.cs"];

    /// <summary>
    /// Compiler diagnostics at warning level or above: parse and declaration diagnostics of every file, method bodies of
    /// every file but the fixed support files (CompileTests compile those in full; skipping them halves the time of a case).
    /// </summary>
    private static IEnumerable<Diagnostic> CompilerProblems(Compilation compilation)
    {
        var diagnostics = compilation.GetParseDiagnostics().Concat(compilation.GetDeclarationDiagnostics());
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (FixedFiles.Any(f => tree.FilePath.Replace('\\', '/').EndsWith(f, StringComparison.Ordinal))) continue;
            diagnostics = diagnostics.Concat(compilation.GetSemanticModel(tree).GetMethodBodyDiagnostics());
        }
        return diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).Distinct().ToList();
    }

    private static string LineOf(Diagnostic diagnostic)
    {
        if (diagnostic.Location.SourceTree is not { } tree) return "";
        var line = diagnostic.Location.GetLineSpan().StartLinePosition.Line;
        return tree.GetText().Lines[line].ToString().Trim();
    }

    // ------------------------------------------------------------------ making a case

    internal static (string Source, List<string> Mutations, string Text) MakeCase(int seed)
    {
        var random = new Random(seed);
        var sources = Sources.Value;
        var (name, document, fullText) = sources[random.Next(sources.Count)];
        var mutations = new List<string>();

        // A few cases work on the text of the whole document.
        var textual = random.Next(20);
        if (textual == 0)
        {
            var cut = random.Next(0, fullText.Length);
            mutations.Add($"truncate: whole document cut at {cut} of {fullText.Length}");
            return (name, mutations, fullText.Substring(0, cut));
        }
        if (textual == 1)
        {
            string[] empties = ["", " ", "\n", "\uFEFF", "{}", "null", "[]", "\"\"", "{\"openapi\":\"3.0.4\"}", "{\"openapi\":\"3.1.0\",\"paths\":{}}"];
            var empty = empties[random.Next(empties.Length)];
            mutations.Add("empty: " + JsonSerializer.Serialize(empty));
            return (name, mutations, empty);
        }

        var slice = Slice(document, random);
        var count = random.Next(4) == 0 ? random.Next(2, 4) : 1;
        for (var i = 0; i < count; i++)
        {
            var kind = random.Next(Mutators.Length);
            try
            {
                mutations.Add(Mutators[kind](slice, random));
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"seed {seed}: mutator {Mutators[kind].Method.Name} failed after {string.Join("; ", mutations)}", ex);
            }
        }
        var text = slice.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        switch (random.Next(12))
        {
            case 0:
            {
                var cut = random.Next(0, text.Length);
                mutations.Add($"truncate: slice cut at {cut} of {text.Length}");
                text = text.Substring(0, cut);
                break;
            }
            case 1:
            {
                // A key twice in one object: valid to a lenient parser, not to System.Text.Json's JsonObject.
                var at = text.IndexOf("\"type\": \"", random.Next(text.Length / 2), StringComparison.Ordinal);
                if (at > 0)
                {
                    mutations.Add("duplicate-key: \"type\" twice at offset " + at);
                    text = text.Insert(at, "\"type\": \"integer\", ");
                }
                break;
            }
        }
        return (name, mutations, text);
    }

    /// <summary>A few path items of a document with every component they reach, and a few other schemas.</summary>
    private static JsonObject Slice(JsonObject document, Random random)
    {
        var result = new JsonObject();
        foreach (var (key, value) in document)
        {
            if (key is not "paths" and not "components") result[key] = value?.DeepClone();
        }
        var paths = new JsonObject();
        if (document["paths"] is JsonObject allPaths && allPaths.Count > 0)
        {
            var keys = allPaths.Select(p => p.Key).ToList();
            var take = random.Next(1, 5);
            for (var i = 0; i < take; i++)
            {
                var key = keys[random.Next(keys.Count)];
                if (!paths.ContainsKey(key)) paths[key] = allPaths[key]?.DeepClone();
            }
        }
        result["paths"] = paths;

        if (document["components"] is not JsonObject components) return result;
        var kept = new JsonObject();
        foreach (var (key, value) in components)
        {
            if (value is JsonObject) kept[key] = new JsonObject();
            else kept[key] = value?.DeepClone();
        }
        var queue = new Queue<JsonNode>();
        queue.Enqueue(paths);
        if (components["schemas"] is JsonObject schemas && schemas.Count > 0)
        {
            var names = schemas.Select(s => s.Key).ToList();
            for (var i = random.Next(0, 4); i > 0; i--) AddComponent("schemas", names[random.Next(names.Count)]);
        }
        while (queue.Count > 0)
        {
            foreach (var reference in Walk(queue.Dequeue()).Where(n => n.Key == "$ref").Select(n => n.Node))
            {
                if (reference is JsonValue v && v.TryGetValue<string>(out var target) && target.StartsWith("#/components/", StringComparison.Ordinal))
                {
                    var parts = target.Substring("#/components/".Length).Split('/');
                    if (parts.Length == 2) AddComponent(parts[0], parts[1].Replace("~1", "/").Replace("~0", "~"));
                }
            }
        }
        result["components"] = kept;
        return result;

        void AddComponent(string kind, string name)
        {
            if (kept[kind] is not JsonObject target || target.ContainsKey(name)) return;
            if (components[kind] is not JsonObject all || all[name] is not { } node) return;
            var copy = node.DeepClone();
            target[name] = copy;
            queue.Enqueue(copy);
        }
    }

    // ------------------------------------------------------------------ tree helpers

    private sealed record Member(JsonNode? Node, JsonNode Parent, string Key, string Pointer);

    /// <summary>Every member and element below a node, depth first, with its parent.</summary>
    private static List<Member> Walk(JsonNode root, string pointer = "#")
    {
        var list = new List<Member>();
        void Visit(JsonNode node, string at)
        {
            if (node is JsonObject obj)
            {
                foreach (var (key, value) in obj.ToList())
                {
                    var p = at + "/" + key.Replace("~", "~0").Replace("/", "~1");
                    list.Add(new Member(value, obj, key, p));
                    if (value is not null) Visit(value, p);
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    var p = at + "/" + i.ToString(CultureInfo.InvariantCulture);
                    list.Add(new Member(array[i], array, i.ToString(CultureInfo.InvariantCulture), p));
                    if (array[i] is { } item) Visit(item, p);
                }
            }
        }
        Visit(root, pointer);
        return list;
    }

    /// <summary>Every schema object of the document (components, parameter and content schemas, and what they nest).</summary>
    private static List<(JsonObject Schema, string Pointer)> Schemas(JsonObject document)
    {
        var list = new List<(JsonObject, string)>();
        void Schema(JsonNode? node, string at)
        {
            if (node is not JsonObject schema) return;
            list.Add((schema, at));
            foreach (var key in new[] { "items", "additionalProperties", "not" }) Schema(schema[key], at + "/" + key);
            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (key, value) in properties.ToList()) Schema(value, at + "/properties/" + key);
            }
            foreach (var key in new[] { "allOf", "oneOf", "anyOf" })
            {
                if (schema[key] is JsonArray array)
                {
                    for (var i = 0; i < array.Count; i++) Schema(array[i], at + "/" + key + "/" + i.ToString(CultureInfo.InvariantCulture));
                }
            }
        }
        if (document["components"]?["schemas"] is JsonObject components)
        {
            foreach (var (key, value) in components.ToList()) Schema(value, "#/components/schemas/" + key);
        }
        foreach (var member in Walk(document).Where(m => m.Key == "schema" && !m.Pointer.StartsWith("#/components/schemas/", StringComparison.Ordinal)))
        {
            Schema(member.Node, member.Pointer);
        }
        return list;
    }

    private static List<(JsonObject Operation, string Pointer)> Operations(JsonObject document)
    {
        var list = new List<(JsonObject, string)>();
        if (document["paths"] is not JsonObject paths) return list;
        foreach (var (path, item) in paths)
        {
            if (item is not JsonObject methods) continue;
            foreach (var (method, operation) in methods)
            {
                if (operation is JsonObject o && method is "get" or "post" or "put" or "delete" or "patch" or "head" or "options" or "trace")
                {
                    list.Add((o, "#/paths/" + path + "/" + method));
                }
            }
        }
        return list;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static JsonObject NewSchema(Random random) => random.Next(5) switch
    {
        0 => new JsonObject { ["type"] = "string" },
        1 => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
        2 => new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["a"] = new JsonObject { ["type"] = "string" } } },
        3 => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
        _ => new JsonObject { ["type"] = "boolean" },
    };

    /// <summary>Object schemas with properties, the usual home of a renamed or duplicated property.</summary>
    private static List<(JsonObject Schema, string Pointer)> ObjectSchemas(JsonObject document) =>
        Schemas(document).Where(s => s.Schema["properties"] is JsonObject { Count: > 0 }).ToList();

    private static List<(JsonObject Schema, string Pointer)> EnumSchemas(JsonObject document) =>
        Schemas(document).Where(s => s.Schema["enum"] is JsonArray { Count: > 0 }).ToList();

    private static List<(JsonObject Parameter, string Pointer)> Parameters(JsonObject document) =>
        Walk(document).Where(m => m.Parent is JsonArray && m.Pointer.Contains("/parameters/", StringComparison.Ordinal) && m.Node is JsonObject p && p["name"] is JsonValue)
            .Select(m => ((JsonObject)m.Node!, m.Pointer)).ToList();

    // ------------------------------------------------------------------ names

    /// <summary>The same name differing only in case.</summary>
    private static string CaseVariant(string name, Random random)
    {
        var variants = new[] { name.ToUpperInvariant(), name.ToLowerInvariant(), name.Length > 0 ? (char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) : char.ToUpperInvariant(name[0])) + name.Substring(1) : name }
            .Where(v => v != name).Distinct().ToList();
        return variants.Count > 0 ? Pick(random, variants) : name + "X";
    }

    /// <summary>A different spelling that gives the same C# name after sanitisation.</summary>
    private static string SanitisedVariant(string name, Random random)
    {
        var separators = new[] { "-", "_", " ", ".", "/", "$", "--" };
        var sb = new StringBuilder();
        var separator = Pick(random, separators);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1])) sb.Append(separator).Append(char.ToLowerInvariant(name[i]));
            else sb.Append(name[i]);
        }
        var result = sb.ToString();
        if (result == name) result = Pick(random, new[] { name + "_", "_" + name, name + "-", name + " ", "-" + name });
        return result;
    }

    private static readonly string[] Troublesome =
    [
        "class", "int", "string", "object", "namespace", "void", "default", "event", "params", "value", "var", "record", "global",
        "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "ReferenceEquals", "Finalize", "Value", "IsKnown", "KnownValues", "FromValue",
        "Instance", "Names", "Read", "Write", "System", "Serialization", "Internal", "Consumer", "Ksef",
        "KsefApiException", "KsefApiError", "KsefClient", "KsefJsonContext", "KsefStatusDescription", "KsefTextResponse", "KsefStreamResponse",
        "Default", "Options", "GetTypeInfo", "url", "request", "response", "item", "body", "cancellationToken", "httpClient", "bearerToken",
        "WithBearerToken", "Stream", "Pages", "cursor", "page", "next", "seen", "Name", "Description", "Descriptions", "Code", "IsSuccess", "_", "__",
    ];

    private static readonly string[] Strange =
    [
        "1abc", "2024-01-01", "123", "0", "9lives", "Zażółć gęślą jaźń", "日本語", "ÄÖÜ", "naïve", "😀", "###", "", " ", "ñame", "İstanbul", "ß",
        "a\u2028b", "line\u0085next", "a\"b", "back\\slash", "*/", "<tag>", "new\nline", "tab\there", "\r", "ʼapostrophe", "Ⅻ", "٣", "x\u0000y",
    ];

    private static string StrangeName(Random random) => random.Next(2) == 0 ? Pick(random, Troublesome) : Pick(random, Strange);

    // ------------------------------------------------------------------ mutators

    private delegate string Mutator(JsonObject document, Random random);

    private static readonly Mutator[] Mutators =
    [
        DeleteKey, WrongType, WrongType, BrokenRef, Unsupported, AdditionalProperties, Recursive, EnumValues, NullableEverywhere,
        StatusTable, StatusTable, CaseNames, CaseNames, SanitisedNames, SanitisedNames, OddNames, OddNames, OddNames, OddText,
        OddParameters, OddOperations, PagingShapes,
    ];

    private static string DeleteKey(JsonObject document, Random random)
    {
        var members = Walk(document).Where(m => m.Parent is JsonObject).ToList();
        if (members.Count == 0) return "delete-key: nothing to delete";
        var member = Pick(random, members);
        ((JsonObject)member.Parent).Remove(member.Key);
        return "delete-key: " + member.Pointer;
    }

    private static JsonNode? OtherKind(JsonNode? current, Random random)
    {
        JsonNode?[] candidates = ["x", 42, 3.5, -1, true, null, new JsonObject(), new JsonArray(), new JsonObject { ["a"] = 1 }, new JsonArray("x", 2), "", "#/components/schemas/X"];
        var kind = current?.GetValueKind();
        var others = candidates.Where(c => c?.GetValueKind() != kind).ToList();
        return Pick(random, others)?.DeepClone();
    }

    private static string WrongType(JsonObject document, Random random)
    {
        var members = Walk(document);
        // Half the time aim at the keys the reader looks at most.
        var interesting = members.Where(m => m.Key is "type" or "format" or "properties" or "items" or "required" or "enum" or "allOf" or "schema" or "parameters"
            or "responses" or "content" or "tags" or "name" or "in" or "description" or "nullable" or "$ref" or "operationId" or "additionalProperties" or "servers" or "info" or "paths" or "components" or "schemas").ToList();
        var pool = interesting.Count > 0 && random.Next(2) == 0 ? interesting : members;
        if (pool.Count == 0) return "wrong-type: nothing to change";
        var member = Pick(random, pool);
        var replacement = OtherKind(member.Node, random);
        if (member.Parent is JsonObject obj) obj[member.Key] = replacement;
        else ((JsonArray)member.Parent)[int.Parse(member.Key, CultureInfo.InvariantCulture)] = replacement;
        return $"wrong-type: {member.Pointer} = {replacement?.ToJsonString() ?? "null"}";
    }

    private static string BrokenRef(JsonObject document, Random random)
    {
        var references = Walk(document).Where(m => m.Key == "$ref").ToList();
        string[] targets =
        [
            "#/components/schemas/DoesNotExist", "", "#", "#/", "#/components/schemas/", "other.json#/components/schemas/X", "#/paths/~1x",
            "#/components/parameters/Nope", "http://example.com/x.json", "#/components/schemas/A/properties/b", "#/components/responses/X",
            "#/info", "#/components", "#/components/schemas/%20", "not a pointer", "#/components/schemas/a~2b",
        ];
        if (references.Count == 0 || random.Next(4) == 0)
        {
            var schemas = Schemas(document);
            if (schemas.Count == 0) return "broken-ref: no schema";
            var (schema, pointer) = Pick(random, schemas);
            var target = Pick(random, targets);
            schema["$ref"] = target;
            return $"broken-ref: {pointer}/$ref = {target}";
        }
        var member = Pick(random, references);
        JsonNode? value = random.Next(6) == 0 ? OtherKind(member.Node, random) : Pick(random, targets);
        if (random.Next(4) == 0 && member.Node is JsonValue v && v.TryGetValue<string>(out var existing))
        {
            // The right target, but spelled in another case.
            value = existing.Substring(0, existing.LastIndexOf('/') + 1) + CaseVariant(existing.Substring(existing.LastIndexOf('/') + 1), random);
        }
        ((JsonObject)member.Parent)["$ref"] = value;
        return $"broken-ref: {member.Pointer} = {value?.ToJsonString() ?? "null"}";
    }

    private static string Unsupported(JsonObject document, Random random)
    {
        var schemas = Schemas(document);
        if (schemas.Count == 0) return "unsupported: no schema";
        var (schema, pointer) = Pick(random, schemas);
        var choice = random.Next(10);
        JsonNode ArrayOf2() => new JsonArray(NewSchema(random), NewSchema(random));
        var (key, value) = choice switch
        {
            0 => ("oneOf", ArrayOf2()),
            1 => ("anyOf", ArrayOf2()),
            2 => ("not", (JsonNode)NewSchema(random)),
            3 => ("discriminator", new JsonObject { ["propertyName"] = "kind" }),
            4 => ("allOf", ArrayOf2()),
            5 => ("type", new JsonArray("string", "integer")),
            6 => ("type", new JsonArray("string", "null")),
            7 => ("patternProperties", new JsonObject { ["^x"] = new JsonObject { ["type"] = "string" } }),
            8 => ("const", (JsonNode)"fixed"),
            _ => ("allOf", new JsonArray()),
        };
        schema[key] = value;
        return $"unsupported: {pointer}/{key} = {value.ToJsonString()}";
    }

    private static string AdditionalProperties(JsonObject document, Random random)
    {
        var schemas = Schemas(document);
        if (schemas.Count == 0) return "additional-properties: no schema";
        var (schema, pointer) = Pick(random, schemas);
        var components = document["components"]?["schemas"] as JsonObject;
        JsonNode value = random.Next(7) switch
        {
            0 => new JsonObject { ["type"] = "string" },
            1 => components is { Count: > 0 } ? new JsonObject { ["$ref"] = "#/components/schemas/" + Pick(random, components.Select(c => c.Key).ToList()) } : true,
            2 => true,
            3 => false,
            4 => new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["x"] = new JsonObject { ["type"] = "integer" } } },
            5 => new JsonObject { ["additionalProperties"] = new JsonObject { ["type"] = "string", ["nullable"] = true } },
            _ => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("a", "b") } },
        };
        schema["additionalProperties"] = value;
        if (random.Next(2) == 0) schema["type"] = "object";
        return $"additional-properties: {pointer} = {value.ToJsonString()}";
    }

    private static string Recursive(JsonObject document, Random random)
    {
        if (document["components"]?["schemas"] is not JsonObject components || components.Count == 0) return "recursive: no components";
        var names = components.Select(c => c.Key).ToList();
        var name = Pick(random, names);
        var self = "#/components/schemas/" + name;
        switch (random.Next(5))
        {
            case 0:
            case 1:
            {
                if (components[name] is not JsonObject schema) return "recursive: not an object";
                var properties = schema["properties"] as JsonObject ?? new JsonObject();
                schema["properties"] = properties;
                JsonNode value = random.Next(3) switch
                {
                    0 => new JsonObject { ["$ref"] = self },
                    1 => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = self } },
                    _ => new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = self }), ["nullable"] = true },
                };
                properties["self"] = value;
                if (random.Next(2) == 0) schema["required"] = new JsonArray("self");
                return $"recursive: {self}/properties/self = {value.ToJsonString()}";
            }
            case 2:
                components[name] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = self } };
                return $"recursive: {self} is an array of itself";
            case 3:
                components[name] = new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = self }) };
                return $"recursive: {self} is allOf itself";
            default:
                components[name] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["$ref"] = self } };
                return $"recursive: {self} is a map of itself";
        }
    }

    private static string EnumValues(JsonObject document, Random random)
    {
        var schemas = Schemas(document);
        if (schemas.Count == 0) return "enum: no schema";
        var enums = EnumSchemas(document);
        var (schema, pointer) = enums.Count > 0 && random.Next(2) == 0 ? Pick(random, enums) : Pick(random, schemas);
        JsonNode values = random.Next(9) switch
        {
            0 => new JsonArray(1, 2, 3),
            1 => new JsonArray(1, "a", null, true),
            2 => new JsonArray(1.5, 2),
            3 => new JsonArray(),
            4 => new JsonArray(""),
            5 => new JsonArray("a", "A", "a-b", "a_b", "A B"),
            6 => new JsonArray(new JsonObject { ["x"] = 1 }, new JsonArray(1)),
            7 => new JsonArray("class", "1st", "Value", "IsKnown", "ToString", "GetType", "日本", "\u2028", "\"", "a\\b"),
            _ => new JsonArray(null, "x"),
        };
        schema["enum"] = values;
        if (random.Next(3) == 0) schema["type"] = Pick(random, new[] { "integer", "number", "string", "boolean", "array", "object" });
        return $"enum: {pointer}/enum = {values.ToJsonString()}, type {schema["type"]?.ToJsonString() ?? "none"}";
    }

    private static string NullableEverywhere(JsonObject document, Random random)
    {
        var openApi31 = random.Next(3) == 0;
        var schemas = Schemas(document);
        foreach (var (schema, _) in schemas)
        {
            if (openApi31 && schema["type"] is JsonValue type && type.TryGetValue<string>(out var t)) schema["type"] = new JsonArray(t, "null");
            else schema["nullable"] = true;
        }
        if (openApi31) document["openapi"] = "3.1.0";
        return $"nullable-everywhere: {schemas.Count} schemas{(openApi31 ? " (3.1 type arrays)" : "")}";
    }

    private static string StatusTable(JsonObject document, Random random)
    {
        var tables = Walk(document).Where(m => m.Key == "description" && m.Node is JsonValue v && v.TryGetValue<string>(out var s) && s.Contains('|')).ToList();
        JsonObject owner;
        string pointer;
        string description;
        if (tables.Count == 0 || random.Next(3) == 0)
        {
            // Give some object a status property of its own, so every slice can have a table.
            var objects = ObjectSchemas(document);
            if (objects.Count == 0) return "status-table: no object schema";
            var (schema, at) = Pick(random, objects);
            var properties = (JsonObject)schema["properties"]!;
            owner = new JsonObject
            {
                ["type"] = "object",
                ["required"] = new JsonArray("code"),
                ["properties"] = new JsonObject { ["code"] = new JsonObject { ["type"] = "integer", ["format"] = random.Next(3) == 0 ? "int64" : "int32" }, ["description"] = new JsonObject { ["type"] = "string" } },
            };
            var name = random.Next(2) == 0 ? "status" : Pick(random, new[] { "Status", "state", "class", "1st", "łódź", "Value" });
            properties[name] = owner;
            pointer = at + "/properties/" + name;
            description = "Status.\n\n| Code | Description | Details |\n| --- | --- | --- |\n| 100 | Started | - |\n| 200 | Done | - |\n| 400 | Failed | x |";
        }
        else
        {
            var member = Pick(random, tables);
            owner = (JsonObject)member.Parent;
            pointer = member.Pointer;
            description = member.Node!.GetValue<string>();
        }
        var lines = description.Replace("\r\n", "\n").Split('\n').ToList();
        var rows = Enumerable.Range(0, lines.Count).Where(i => lines[i].TrimStart().StartsWith('|')).ToList();
        string what;
        switch (random.Next(12))
        {
            case 0:
                lines.RemoveAll(l => l.Replace("|", "").Replace("-", "").Replace(":", "").Trim().Length == 0 && l.Contains('-'));
                what = "separator rows removed";
                break;
            case 1:
                if (rows.Count > 2) lines[rows[2]] = "| abc | Not a code | - |";
                what = "a code that is not a number";
                break;
            case 2:
                if (rows.Count > 2) lines[rows[2]] = "| 99999999999 | Too big | - |";
                what = "a code beyond int";
                break;
            case 3:
                if (rows.Count > 2) lines.Insert(rows[2], lines[rows[2]].Replace("|", "| ", StringComparison.Ordinal) + " extra |");
                what = "a row twice, with an extra cell";
                break;
            case 4:
                for (var i = rows.Count - 1; i >= 2; i--) lines.RemoveAt(rows[i]);
                what = "every row removed";
                break;
            case 5:
                if (rows.Count > 0) lines[rows[0]] = "| Description | Code | Details |";
                what = "columns swapped in the header";
                break;
            case 6:
                if (rows.Count > 0) lines[rows[0]] = "| kod | opis |";
                what = "Polish two-column header";
                break;
            case 7:
                lines.Add("| * | Any other | - |");
                lines.Add("| 100 | Started again, differently | - |");
                lines.Add("| 300 | Value | - |");
                lines.Add("| 301 | Is known | - |");
                lines.Add("| 302 | To string | - |");
                lines.Add("| 303 | Get type | - |");
                what = "wildcard, repeated code, reserved descriptions";
                break;
            case 8:
                lines.Add("| 500 | class | - |");
                lines.Add("| 501 | 1st failure | - |");
                lines.Add("| 502 | Zażółć | - |");
                lines.Add("| 503 | a\u2028b | x \\| y |");
                lines.Add("| 504 | Done | - |");
                lines.Add("| 505 | done | - |");
                lines.Add("| 506 | Done. | - |");
                what = "keyword, digit, non-ASCII, line-separator and duplicate descriptions";
                break;
            case 9:
                lines.Add("|");
                lines.Add("||||");
                lines.Add("| | | |");
                lines.Add("| -5 | negative | - |");
                what = "empty and negative rows";
                break;
            case 10:
                lines.Insert(0, "Sesja wsadowa:");
                lines.Add("");
                lines.Add("Sesja interaktywna:");
                lines.AddRange(description.Split('\n').Where(l => l.TrimStart().StartsWith('|')));
                what = "scoped sub-tables";
                break;
            default:
                lines.Add("| 600 | With extension | - | originalKsefNumber, \"class\", 1st, ĄĘ |");
                if (rows.Count > 0) lines[rows[0]] = lines[rows[0]].TrimEnd().TrimEnd('|') + "| Extensions |";
                what = "extensions column with odd keys";
                break;
        }
        owner["description"] = string.Join("\n", lines);
        return $"status-table: {pointer}: {what}";
    }

    private static string CaseNames(JsonObject document, Random random) => RenameOrDuplicate(document, random, "case", CaseVariant, duplicate: true);

    private static string SanitisedNames(JsonObject document, Random random) => RenameOrDuplicate(document, random, "sanitised", SanitisedVariant, duplicate: true);

    private static string OddNames(JsonObject document, Random random) => RenameOrDuplicate(document, random, "odd-name", (_, r) => StrangeName(r), duplicate: random.Next(3) == 0);

    /// <summary>Gives a schema, property, tag, operationId, enum value or parameter a new name, or adds a copy under it.</summary>
    private static string RenameOrDuplicate(JsonObject document, Random random, string kind, Func<string, Random, string> variant, bool duplicate)
    {
        var verb = duplicate ? "copied as" : "renamed to";
        switch (random.Next(6))
        {
            case 0:
            {
                if (document["components"]?["schemas"] is not JsonObject components || components.Count == 0) break;
                var name = Pick(random, components.Select(c => c.Key).ToList());
                var other = variant(name, random);
                if (other == name || components.ContainsKey(other)) break;
                var copy = components[name]?.DeepClone();
                if (!duplicate)
                {
                    components.Remove(name);
                    var escaped = other.Replace("~", "~0").Replace("/", "~1");
                    foreach (var reference in Walk(document).Where(m => m.Key == "$ref" && m.Node is JsonValue v && v.TryGetValue<string>(out var s) && s == "#/components/schemas/" + name).ToList())
                    {
                        ((JsonObject)reference.Parent)["$ref"] = "#/components/schemas/" + escaped;
                    }
                }
                components[other] = copy;
                return $"{kind}: schema {Show(name)} {verb} {Show(other)}";
            }
            case 1:
            {
                var objects = ObjectSchemas(document);
                if (objects.Count == 0) break;
                var (schema, pointer) = Pick(random, objects);
                var properties = (JsonObject)schema["properties"]!;
                var name = Pick(random, properties.Select(p => p.Key).ToList());
                var other = variant(name, random);
                if (other == name || properties.ContainsKey(other)) break;
                var copy = properties[name]?.DeepClone();
                if (!duplicate) properties.Remove(name);
                properties[other] = copy;
                if (random.Next(2) == 0 && schema["required"] is JsonArray required) required.Add(other);
                return $"{kind}: property {pointer}/{Show(name)} {verb} {Show(other)}";
            }
            case 2:
            {
                var operations = Operations(document);
                if (operations.Count == 0) break;
                var (first, pointer) = Pick(random, operations);
                var tag = first["tags"] is JsonArray { Count: > 0 } tags && tags[0] is JsonValue t && t.TryGetValue<string>(out var s) ? s : "Things";
                var other = variant(tag, random);
                var (second, secondPointer) = Pick(random, operations);
                second["tags"] = new JsonArray(other);
                return $"{kind}: tag {Show(tag)} of {pointer} set as {Show(other)} on {secondPointer}";
            }
            case 3:
            {
                var operations = Operations(document);
                if (operations.Count == 0) break;
                var (first, pointer) = Pick(random, operations);
                var (second, secondPointer) = Pick(random, operations);
                var id = first["operationId"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : Pick(random, new[] { "getThing", "listItems", "sendInvoice" });
                first["operationId"] = id;
                var other = variant(id, random);
                second["operationId"] = other;
                if (first["tags"] is { } tags) second["tags"] = tags.DeepClone();
                return $"{kind}: operationId {Show(id)} on {pointer}, {Show(other)} on {secondPointer}";
            }
            case 4:
            {
                var enums = EnumSchemas(document);
                if (enums.Count == 0) break;
                var (schema, pointer) = Pick(random, enums);
                var values = (JsonArray)schema["enum"]!;
                var value = values[random.Next(values.Count)] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "value";
                var other = variant(value, random);
                values.Add(other);
                return $"{kind}: enum {pointer} gets {Show(other)} beside {Show(value)}";
            }
            default:
            {
                var parameters = Parameters(document);
                if (parameters.Count == 0) break;
                var (parameter, pointer) = Pick(random, parameters);
                var name = Str(parameter["name"]) ?? "x";
                var other = variant(name, random);
                if (duplicate && parameter.Parent is JsonArray list)
                {
                    var copy = (JsonObject)parameter.DeepClone();
                    copy["name"] = other;
                    if (Str(copy["in"]) == "path") copy["in"] = "query";
                    list.Add(copy);
                }
                else if (Str(parameter["in"]) != "path")
                {
                    parameter["name"] = other;
                }
                else
                {
                    break;
                }
                return $"{kind}: parameter {pointer} {Show(name)} {verb} {Show(other)}";
            }
        }
        return $"{kind}: nothing to rename";
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Show(string name) => JsonSerializer.Serialize(name);

    private static string OddText(JsonObject document, Random random)
    {
        string[] texts = ["*/ /* <summary> & </remarks>", "a\u2028b\u2029c\u0085d", "line\rbreak", "\"quoted\" \\ back", "{0} {{ }}", "\"\"\"", "<see cref=\"X\"/>", "&amp;", "\u0000", "/// <", "#if DEBUG\n#error x"];
        var text = Pick(random, texts);
        var targets = Walk(document).Where(m => m.Key is "description" or "summary" or "title" or "url" || m.Parent is JsonArray && m.Pointer.Contains("/enum/", StringComparison.Ordinal)).ToList();
        var changed = 0;
        foreach (var member in targets.Where(_ => random.Next(4) == 0))
        {
            if (member.Node is not JsonValue v || !v.TryGetValue<string>(out var s)) continue;
            var replacement = random.Next(2) == 0 ? text : s + text;
            if (member.Parent is JsonObject obj) obj[member.Key] = replacement;
            else ((JsonArray)member.Parent)[int.Parse(member.Key, CultureInfo.InvariantCulture)] = replacement;
            changed++;
        }
        if (random.Next(3) == 0 && document["paths"] is JsonObject paths && paths.Count > 0)
        {
            var key = Pick(random, paths.Select(p => p.Key).ToList());
            var item = paths[key];
            paths.Remove(key);
            paths[key + Pick(random, new[] { "/\"quote\"", "/{unclosed", "/}x{", "/a\\b", "/ż", "/{id}/{id}", "?q=1", "#frag" })] = item;
            changed++;
        }
        return $"odd-text: {Show(text)} in {changed} places";
    }

    private static string OddParameters(JsonObject document, Random random)
    {
        var operations = Operations(document);
        if (operations.Count == 0) return "parameters: no operation";
        var (operation, pointer) = Pick(random, operations);
        var parameters = operation["parameters"] as JsonArray ?? new JsonArray();
        operation["parameters"] = parameters;
        var name = random.Next(2) == 0 ? Pick(random, Troublesome) : Pick(random, new[] { "x", "xValue", "x-value", "X-Value", "page-size", "pageSize", "PageSize", "id", "1st", "ż", "w", "v", "o", "r", "r1", "o1", "i2", "w2", "v1", "value", "xValue_" });
        var location = Pick(random, new[] { "query", "query", "header", "path", "cookie", "body", "nowhere" });
        JsonNode schema = random.Next(8) switch
        {
            0 => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["a"] = new JsonObject { ["type"] = "string" } } } },
            1 => new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["a"] = new JsonObject { ["type"] = "string" } } },
            2 => new JsonObject { ["type"] = "string", ["format"] = "date-time", ["nullable"] = true },
            3 => new JsonObject { ["type"] = "integer", ["enum"] = new JsonArray(1, 2) },
            4 => new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("a", "b") },
            5 => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string", ["format"] = "byte", ["nullable"] = true } },
            6 => new JsonObject { ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "integer" }) },
            _ => new JsonObject { ["type"] = "string" },
        };
        var parameter = new JsonObject { ["name"] = name, ["in"] = location, ["required"] = random.Next(2) == 0, ["schema"] = schema };
        if (random.Next(6) == 0) parameter.Remove("schema");
        parameters.Add(parameter);
        if (random.Next(3) == 0) parameters.Add(parameter.DeepClone());
        return $"parameters: {pointer} gets {parameter.ToJsonString()}";
    }

    private static string OddOperations(JsonObject document, Random random)
    {
        var operations = Operations(document);
        if (operations.Count == 0 || document["paths"] is not JsonObject paths) return "operations: no operation";
        var (operation, pointer) = Pick(random, operations);
        var copy = (JsonObject)operation.DeepClone();
        switch (random.Next(6))
        {
            case 0:
            {
                var method = Pick(random, new[] { "head", "options", "trace", "patch", "put", "delete" });
                var path = paths.First().Value as JsonObject;
                if (path is null) return "operations: no path item";
                path[method] = copy;
                return $"operations: {pointer} copied as {method}";
            }
            case 1:
            {
                var code = Pick(random, new[] { "2XX", "default", "204", "299", "201", "1xx" });
                var responses = operation["responses"] as JsonObject ?? new JsonObject();
                operation["responses"] = responses;
                responses[code] = new JsonObject { ["description"] = "d", ["content"] = new JsonObject { [Pick(random, new[] { "application/json", "text/plain", "*/*" })] = new JsonObject { ["schema"] = NewSchema(random) } } };
                return $"operations: {pointer} gets response {code}";
            }
            case 2:
            {
                var type = Pick(random, new[] { "text/plain", "application/octet-stream", "*/*", "application/problem+json", "application/xml", "application/vnd.x+json; charset=utf-8", "" });
                operation["requestBody"] = new JsonObject { ["required"] = true, ["content"] = new JsonObject { [type] = new JsonObject { ["schema"] = NewSchema(random) } } };
                return $"operations: {pointer} gets a {Show(type)} body";
            }
            case 3:
                operation["requestBody"] = new JsonObject { ["content"] = new JsonObject { ["application/json"] = new JsonObject() } };
                return $"operations: {pointer} gets a body without a schema";
            case 4:
            {
                var name = Pick(random, new[] { "/things/{id}", "/Things/{Id}", "/things/{id}/", "/things/{ID}", "/v2/things/{id}", "/api/v2/things/{id}" });
                paths[name] = new JsonObject { ["get"] = copy.DeepClone() };
                if (!paths.ContainsKey("/things/{id}")) paths["/things/{id}"] = new JsonObject { ["get"] = copy };
                return $"operations: {pointer} copied to {name} and /things/{{id}}";
            }
            default:
            {
                var responses = operation["responses"] as JsonObject;
                var ok = responses?.FirstOrDefault(r => r.Key.StartsWith('2')).Value as JsonObject;
                if (ok is null) return "operations: no 2xx response";
                ok["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Pick(random, new JsonNode[] {
                    new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["nullable"] = true, ["type"] = "string" } } },
                    new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "integer", ["nullable"] = true } },
                    new JsonObject { ["type"] = "string", ["format"] = "binary", ["nullable"] = true },
                    new JsonObject { ["nullable"] = true },
                    new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("x", "y"), ["nullable"] = true },
                }).DeepClone() } };
                return $"operations: {pointer} answers {ok["content"]!.ToJsonString()}";
            }
        }
    }

    /// <summary>Operations that look like KSeF's paged lists, with the paging members in odd types.</summary>
    private static string PagingShapes(JsonObject document, Random random)
    {
        if (document["paths"] is not JsonObject paths) return "paging: no paths";
        var continuation = random.Next(2) == 0;
        JsonNode Prop(params string[] types) => new JsonObject { ["type"] = Pick(random, types), ["nullable"] = random.Next(2) == 0 };
        var properties = new JsonObject
        {
            ["items"] = random.Next(4) == 0
                ? new JsonObject { ["type"] = "array", ["nullable"] = true, ["items"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } } }
                : new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = Pick(random, new[] { "string", "integer" }), ["nullable"] = random.Next(2) == 0 } },
        };
        if (continuation) properties["continuationToken"] = Prop("string", "string", "integer");
        else properties["hasMore"] = Prop("boolean", "boolean", "string");
        if (random.Next(4) == 0) properties["more"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } };
        var name = Pick(random, new[] { "PagedThings", "Page", "Items", "QueryResponse" });
        var schemas = document["components"] as JsonObject ?? new JsonObject();
        document["components"] = schemas;
        var components = schemas["schemas"] as JsonObject ?? new JsonObject();
        schemas["schemas"] = components;
        components[name] = new JsonObject { ["type"] = "object", ["required"] = random.Next(2) == 0 ? new JsonArray("items") : new JsonArray(), ["properties"] = properties };
        var cursor = continuation
            ? new JsonObject { ["name"] = Pick(random, new[] { "x-continuation-token", "X-Continuation-Token" }), ["in"] = "header", ["required"] = random.Next(4) == 0, ["schema"] = Prop("string", "string", "integer") }
            : new JsonObject { ["name"] = "pageOffset", ["in"] = "query", ["required"] = random.Next(4) == 0, ["schema"] = Prop("integer", "integer", "string") };
        var operationId = Pick(random, new[] { "getThings", "GetThings", "Things", "get", "EnumerateThings", "getThingsPages", "thingsStream" });
        var operation = new JsonObject
        {
            ["tags"] = new JsonArray("Paging"),
            ["operationId"] = operationId,
            ["parameters"] = new JsonArray(cursor, new JsonObject { ["name"] = Pick(random, new[] { "cursor", "page", "seen", "next", "item", "pageSize" }), ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "integer" } }),
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "ok", ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + name } } } } },
        };
        paths["/paged/things"] = new JsonObject { ["get"] = operation };
        if (random.Next(2) == 0)
        {
            var other = (JsonObject)operation.DeepClone();
            other["operationId"] = Pick(random, new[] { "Things", "EnumerateThings", "ThingsPages", "GetThingsPages", "getThingsStream" });
            other["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "ok", ["content"] = new JsonObject { ["text/plain"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } } } };
            paths["/paged/other"] = new JsonObject { ["get"] = other };
        }
        return $"paging: {(continuation ? "continuation" : "pageOffset")} list {operationId} over {name} {properties.ToJsonString()}";
    }
}
