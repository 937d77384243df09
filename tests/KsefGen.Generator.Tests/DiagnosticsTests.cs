using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>A bad spec gives a KSEFGEN diagnostic located in the spec file; the generator never throws.</summary>
public sealed class DiagnosticsTests
{
    private const string SpecPath = "/specs/bad.openapi.json";

    /// <summary>A small valid document with one operation and two schemas; tests break one part of it.</summary>
    private static string Spec(string schemas = "", string pathsExtra = "", string statusDescription = "Status.\\n\\n| Code | Description | Details |\\n| --- | --- | --- |\\n| 100 | Started | - |\\n| 200 | Done | - |") => $$"""
{
  "openapi": "3.0.4",
  "info": { "title": "t", "version": "v2" },
  "paths": {
    "/things/{id}": {
      "get": {
        "tags": [ "Things" ],
        "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
        "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } } }
      }
    }{{pathsExtra}}
  },
  "components": {
    "schemas": {
      "StatusInfo": { "type": "object", "required": [ "code" ], "properties": { "code": { "type": "integer", "format": "int32" }, "description": { "type": "string" } } },
      "Thing": {
        "type": "object",
        "properties": {
          "name": { "type": "string" },
          "status": { "allOf": [ { "$ref": "#/components/schemas/StatusInfo" } ], "description": "{{statusDescription}}" }
        }
      }{{schemas}}
    }
  }
}
""";

    private static (IReadOnlyList<Diagnostic> Diagnostics, GeneratorDriverRunResult Result, Compilation Output) Run(string text, params AdditionalText[] extra)
    {
        var (result, output) = GeneratorHarness.Run(SpecPath, text, extra);
        Assert.Null(result.Results[0].Exception);
        return (result.Diagnostics, result, output);
    }

    private static Diagnostic Single(IReadOnlyList<Diagnostic> diagnostics, string id)
    {
        var matching = diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got: {string.Join(", ", diagnostics)}");
        Assert.Equal(SpecPath, matching[0].Location.GetLineSpan().Path);
        return matching[0];
    }

    private static int LineOf(string text, string fragment) =>
        text.Substring(0, text.IndexOf(fragment, StringComparison.Ordinal)).Count(c => c == '\n');

    [Fact]
    public void ValidSpecGivesNoDiagnosticsAndCompiles()
    {
        var (diagnostics, result, output) = Run(Spec());
        Assert.Empty(diagnostics);
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("ThingStatusCode.g.cs", StringComparison.Ordinal));
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void UnreadableJsonIsReportedAtTheBrokenLine()
    {
        var text = Spec().Replace("\"name\": { \"type\": \"string\" },", "\"name\": { \"type\": \"string\" ,,");
        var (diagnostics, result, _) = Run(text);
        var diagnostic = Single(diagnostics, "KSEFGEN001");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.DefaultSeverity);
        Assert.Equal(LineOf(text, ",,"), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void MissingReferenceTargetIsReportedAtTheReferenceAndTheRestGenerates()
    {
        var text = Spec(schemas: """
,
      "Other": { "type": "object", "properties": { "broken": { "$ref": "#/components/schemas/DoesNotExist" }, "fine": { "type": "integer" } } }
""");
        var (diagnostics, result, output) = Run(text);
        var diagnostic = Single(diagnostics, "KSEFGEN003");
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Contains("DoesNotExist", diagnostic.GetMessage());
        Assert.Equal(LineOf(text, "\"broken\""), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("Other.g.cs", StringComparison.Ordinal));
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("ThingsClient.g.cs", StringComparison.Ordinal));
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Theory]
    [InlineData("oneOf", """{ "oneOf": [ { "type": "string" }, { "type": "integer" } ] }""")]
    [InlineData("anyOf", """{ "anyOf": [ { "type": "string" }, { "type": "integer" } ] }""")]
    [InlineData("discriminator", """{ "type": "object", "discriminator": { "propertyName": "kind" } }""")]
    [InlineData("allOf with 2 schemas", """{ "allOf": [ { "$ref": "#/components/schemas/StatusInfo" }, { "$ref": "#/components/schemas/Thing" } ] }""")]
    public void UnsupportedConstructIsReportedAndTypedAsJsonElement(string construct, string schema)
    {
        var text = Spec(schemas: $$"""
,
      "Poly": { "type": "object", "properties": { "value": {{schema}} } }
""");
        var (diagnostics, result, output) = Run(text);
        var diagnostic = Single(diagnostics, "KSEFGEN004");
        Assert.Contains(construct, diagnostic.GetMessage());
        Assert.Equal(LineOf(text, "\"value\""), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        var poly = result.GeneratedTrees.Single(t => t.FilePath.EndsWith("Poly.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("global::System.Text.Json.JsonElement? Value", poly);
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void UnparsableStatusRowIsReportedAndTheOtherRowsStay()
    {
        var text = Spec(statusDescription: "Status.\\n\\n| Code | Description | Details |\\n| --- | --- | --- |\\n| 100 | Started | - |\\n| 2OO | Typo | - |\\n| 200 | Done | - |");
        var (diagnostics, result, output) = Run(text);
        var diagnostic = Single(diagnostics, "KSEFGEN005");
        Assert.Contains("2OO", diagnostic.GetMessage());
        Assert.Equal(LineOf(text, "\"description\": \"Status."), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        var status = result.GeneratedTrees.Single(t => t.FilePath.EndsWith("ThingStatusCode.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("=> new(100);", status);
        Assert.Contains("=> new(200);", status);
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void StatusTableWithoutSeparatorIsReported()
    {
        var text = Spec(statusDescription: "| Code | Description |\\n| 100 | Started |");
        var (diagnostics, _, _) = Run(text);
        Assert.Contains("separator", Single(diagnostics, "KSEFGEN005").GetMessage());
    }

    [Fact]
    public void SchemaNameCollisionIsReportedAndBothTypesGenerate()
    {
        var text = Spec(schemas: """
,
      "thing": { "type": "object", "properties": { "other": { "type": "string" } } }
""");
        var (diagnostics, result, output) = Run(text);
        var diagnostic = Single(diagnostics, "KSEFGEN006");
        Assert.Contains("Thing2", diagnostic.GetMessage());
        Assert.Equal(LineOf(text, "\"thing\": {"), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("Models/Thing2.g.cs", StringComparison.Ordinal));
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void TypesWhoseNamesDifferOnlyInCaseGetFilesOfTheirOwnAndCompile()
    {
        // AddSource compares hint names ignoring case: Models/THING.g.cs beside Models/Thing.g.cs used to fail the run (CS8785).
        var text = Spec(schemas: """
,
      "THING": { "type": "object", "properties": { "other": { "type": "string" } } },
      "THINGStatusCode": { "type": "string", "enum": [ "a", "A" ] }
""", pathsExtra: """
,
    "/THINGS": { "get": { "tags": [ "THINGS" ], "responses": { "204": { "description": "ok" } } } }
""");
        var (diagnostics, result, output) = Run(text);
        Assert.DoesNotContain(diagnostics, d => d.Id == "CS8785");
        // Files come in ordinal order of the type names, so the upper-case ones keep their names.
        var files = result.GeneratedTrees.Select(t => t.FilePath.Replace('\\', '/')).ToList();
        Assert.Contains(files, f => f.EndsWith("Models/THING.g.cs", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("Models/Thing_2.g.cs", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("Clients/THINGSClient.g.cs", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("Clients/ThingsClient_2.g.cs", StringComparison.Ordinal));
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void DuplicateMemberIsReportedAtItsSecondOccurrence()
    {
        var text = Spec().Replace("\"name\": { \"type\": \"string\" },", "\"name\": { \"type\": \"string\", \"type\": \"integer\" },");
        var (diagnostics, result, _) = Run(text);
        var diagnostic = Single(diagnostics, "KSEFGEN001");
        Assert.Contains("'type' appears twice", diagnostic.GetMessage());
        Assert.Equal(text.IndexOf("\"type\": \"string\", \"type\"", StringComparison.Ordinal) + "\"type\": \"string\", ".Length, diagnostic.Location.SourceSpan.Start);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void DuplicateMemberInsideAFreeFormExampleIsReportedLikeAnyOther()
    {
        // Examples are not checked for malformed values, but a repeated member there is still invalid JSON for the reader;
        // a malformed value reported earlier in the walk is dropped: only the duplicate counts.
        var text = Spec().Replace("\"name\": { \"type\": \"string\" },",
            "\"name\": { \"type\": \"string\", \"maxLength\": \"ten\", \"example\": { \"a\": 1, \"a\": 2 } },");
        var (diagnostics, result, _) = Run(text);
        var diagnostic = Single(diagnostics, "KSEFGEN001");
        Assert.Contains("'a' appears twice", diagnostic.GetMessage());
        Assert.Equal(text.IndexOf("\"a\": 1, \"a\"", StringComparison.Ordinal) + "\"a\": 1, ".Length, diagnostic.Location.SourceSpan.Start);
        Assert.DoesNotContain(diagnostics, d => d.Id == "KSEFGEN002");
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void ValuesTheOpenApiReaderThrowsOnAreReportedWhereTheyAreAndTheRestGenerates()
    {
        var text = Spec(schemas: """
,
      "Odd": { "type": "object", "additionalProperties": 3.5, "properties": { "gone": null, "ref": { "$ref": "" }, "n": { "type": "string", "maxLength": "ten" } } }
""");
        var (diagnostics, result, output) = Run(text);
        var reader = diagnostics.Where(d => d.Id == "KSEFGEN002").ToList();
        Assert.Equal(4, reader.Count);
        Assert.All(reader, d => Assert.Equal(SpecPath, d.Location.GetLineSpan().Path));
        Assert.Equal(LineOf(text, "\"gone\": null"), reader.Single(d => d.GetMessage().Contains("'gone' is null", StringComparison.Ordinal)).Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("Models/Odd.g.cs", StringComparison.Ordinal));
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void OperationNameCollisionFromTheNamingFileIsReported()
    {
        var extraPath = """
,
    "/things": { "get": { "tags": [ "Things" ], "responses": { "204": { "description": "none" } } } }
""";
        var text = Spec(pathsExtra: extraPath);
        var names = new InMemoryText("/specs/bad.openapi.names.json", """{ "operations": { "GET /things": "GetThingsById" } }""");
        var (diagnostics, result, output) = Run(text, names);
        var diagnostic = Single(diagnostics, "KSEFGEN006");
        Assert.Contains("GetThingsById", diagnostic.GetMessage());
        var client = result.GeneratedTrees.Single(t => t.FilePath.EndsWith("ThingsClient.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("GetThingsByIdAsync(", client);
        Assert.Contains("GetThingsById2Async(", client);
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void InvalidNamingFileIsReportedInTheNamingFile()
    {
        var names = new InMemoryText("/specs/bad.openapi.names.json", "{ \"operations\": { \"GET /things/{id}\": \"not an identifier\" } }");
        var (diagnostics, result, _) = Run(Spec(), names);
        var diagnostic = diagnostics.Single(d => d.Id == "KSEFGEN007");
        Assert.Equal("/specs/bad.openapi.names.json", diagnostic.Location.GetLineSpan().Path);
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("ThingsClient.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void NamingOverrideThatMatchesNothingIsReported()
    {
        var names = new InMemoryText("/specs/bad.openapi.names.json", "{ \"schemas\": { \"Thnig\": \"Renamed\" } }");
        var (diagnostics, _, _) = Run(Spec(), names);
        var diagnostic = diagnostics.Single(d => d.Id == "KSEFGEN010");
        Assert.Contains("Thnig", diagnostic.GetMessage());
        Assert.Equal("/specs/bad.openapi.names.json", diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void NamingFileRenamesOperationsSchemasAndClients()
    {
        var names = new InMemoryText("/specs/bad.openapi.names.json", """
{ "operations": { "get /things/{thingId}": "FetchThing" }, "schemas": { "Thing": "Widget" }, "tags": { "Things": "Widgets" }, "statusCodes": { "Thing.status": "WidgetState" } }
""");
        var (diagnostics, result, output) = Run(Spec(), names);
        Assert.Empty(diagnostics);
        var client = result.GeneratedTrees.Single(t => t.FilePath.EndsWith("WidgetsClient.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("global::Consumer.Ksef.Widget> FetchThingAsync(string id", client);
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("StatusCodes/WidgetState.g.cs", StringComparison.Ordinal));
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void SwaggerTwoDocumentIsReportedAsUnsupported()
    {
        var (diagnostics, result, _) = Run("""{ "swagger": "2.0", "info": { "title": "t", "version": "1" }, "paths": {} }""");
        Assert.Equal(DiagnosticSeverity.Error, Single(diagnostics, "KSEFGEN008").DefaultSeverity);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void TruncatedSpecsNeverThrow()
    {
        // Cut our real spec at many places: every cut must end in diagnostics, never in an exception.
        var text = File.ReadAllText(RepoPaths.SandboxSpec);
        var random = new Random(20261122);
        for (var i = 0; i < 25; i++)
        {
            var cut = random.Next(1, text.Length - 1);
            var (result, _) = GeneratorHarness.Run(SpecPath, text.Substring(0, cut));
            Assert.Null(result.Results[0].Exception);
            Assert.Contains(result.Diagnostics, d => d.Id.StartsWith("KSEFGEN", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785");
        }
    }

    [Fact]
    public void StructurallyOddButValidJsonNeverThrows()
    {
        string[] documents =
        [
            "[]",
            "42",
            """{ "openapi": 3 }""",
            """{ "openapi": "3.0.4" }""",
            """{ "openapi": "3.0.4", "info": { "title": "t", "version": "1" }, "paths": { "/x": { "get": { "responses": { "200": { "description": "d", "content": { "application/json": { "schema": { "$ref": "#/nowhere" } } } } } } } } }""",
            """{ "openapi": "3.0.4", "info": { "title": "t", "version": "1" }, "paths": {}, "components": { "schemas": { "A": { "$ref": "#/components/schemas/B" }, "B": { "$ref": "#/components/schemas/A" } } } }""",
            """{ "openapi": "3.0.4", "info": { "title": "t", "version": "1" }, "paths": {}, "components": { "schemas": { "Node": { "type": "object", "properties": { "next": { "$ref": "#/components/schemas/Node" } } } } } }""",
        ];
        foreach (var document in documents)
        {
            var (result, output) = GeneratorHarness.Run(SpecPath, document);
            Assert.Null(result.Results[0].Exception);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785" || d.Id == "KSEFGEN009");
            Assert.DoesNotContain(GeneratorHarness.Problems(output), p => p.Severity == DiagnosticSeverity.Error);
        }
    }
}
