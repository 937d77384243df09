using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace KsefGen.Generator.Tests;

/// <summary>Runs the generator on in-memory inputs the way the compiler does, and compiles the result.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                        || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll" or "Microsoft.Win32.Primitives.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>As a build with GenerateDocumentationFile: doc comments are parsed and checked (CS1570, CS1574, ...).</summary>
    public static CSharpParseOptions DocumentationParseOptions { get; } = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(ParseOptions, sources);

    public static CSharpCompilation CreateCompilation(CSharpParseOptions parseOptions, params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, parseOptions)),
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, Dictionary<string, string>? globalOptions = null, Dictionary<string, Dictionary<string, string>>? fileOptions = null, CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            [new KsefClientGenerator().AsSourceGenerator()],
            files,
            parseOptions ?? ParseOptions,
            new TestOptionsProvider(globalOptions ?? new() { ["build_property.KsefGenNamespace"] = "Consumer.Ksef" }, fileOptions ?? new()),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over one spec text and returns the run result and the output compilation.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(string specPath, string specText, params AdditionalText[] extra) =>
        Run(ParseOptions, specPath, specText, extra);

    /// <summary>Runs the generator with the given parse options (for the generated trees and the consumer's).</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(CSharpParseOptions parseOptions, string specPath, string specText, params AdditionalText[] extra) =>
        Run(parseOptions, CreateCompilation(parseOptions, "namespace Consumer { internal static class Marker { } }"), specPath, specText, extra);

    /// <summary>
    /// The same over a given consumer compilation. Reusing one compilation for many runs saves binding its ~170
    /// references again each time (about 3 s of a 3.5 s compile of a small spec).
    /// </summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(Compilation consumer, string specPath, string specText, params AdditionalText[] extra) =>
        Run(ParseOptions, consumer, specPath, specText, extra);

    private static (GeneratorDriverRunResult Result, Compilation Output) Run(CSharpParseOptions parseOptions, Compilation consumer, string specPath, string specText, params AdditionalText[] extra)
    {
        // Official files keep their names (open-api.json, ksef-openapi-*.json): mark them the way a consumer would.
        var fileOptions = new Dictionary<string, Dictionary<string, string>>
        {
            [specPath] = new() { ["build_metadata.AdditionalFiles.KsefGenSpec"] = "true" },
        };
        var driver = CreateDriver([new InMemoryText(specPath, specText), .. extra], fileOptions: fileOptions, parseOptions: parseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(consumer, out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>Compiler diagnostics of a compilation at warning level or above (generator diagnostics are separate).</summary>
    public static IReadOnlyList<Diagnostic> Problems(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).ToList();
}

/// <summary>An AdditionalFile held in memory.</summary>
internal sealed class InMemoryText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>MSBuild properties and item metadata as the compiler would see them.</summary>
internal sealed class TestOptionsProvider(Dictionary<string, string> global, Dictionary<string, Dictionary<string, string>> perFile) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        new Options(perFile.TryGetValue(textFile.Path, out var options) ? options : []);

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}
