using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using KsefGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace KsefGen.Bench;

/// <summary>Cold end-to-end generation of the KSeF spec, against NSwag.Core parsing the same text.</summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class GenerationBenchmarks
{
    /// <summary>
    /// Short enough for a 2-core machine (about 50 s): one launch, 30 warmup and 20 measured iterations.
    /// Fewer warmups measure tiered-JIT warm-up, not the code: with 3, both benchmarks were still getting faster
    /// during the measured iterations (generation 76 ms down to 39 ms).
    /// </summary>
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(30).WithIterationCount(20));
    }

    private string _specPath = "";
    private string _specText = "";
    private AdditionalText _additionalText = null!;
    private CSharpParseOptions _parseOptions = null!;
    private AnalyzerConfigOptionsProvider _optionsProvider = null!;
    private CSharpCompilation _compilation = null!;

    /// <summary>Number of generated trees seen by the last check.</summary>
    public int GeneratedTreeCount { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _specPath = SpecLocator.Find(out var searched)
            ?? throw new InvalidOperationException($"No KSeF spec found ({searched}).");
        _specText = File.ReadAllText(_specPath);
        _additionalText = new InMemoryAdditionalText(_specPath, _specText);
        _parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        _optionsProvider = new BenchOptionsProvider(_specPath);

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                        || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
        _compilation = CSharpCompilation.Create(
            "Bench",
            [CSharpSyntaxTree.ParseText("namespace Bench { internal static class Marker { } }", _parseOptions)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // Make sure the benchmark measures a real, successful generation.
        var result = RunGenerator();
        var generator = result.Results.Single();
        if (generator.Exception is not null)
            throw new InvalidOperationException("The generator threw.", generator.Exception);
        if (!result.Diagnostics.IsEmpty)
            throw new InvalidOperationException("The generator reported diagnostics:" + Environment.NewLine
                + string.Join(Environment.NewLine, result.Diagnostics.Select(d => "  " + d)));
        GeneratedTreeCount = result.GeneratedTrees.Length;
        if (GeneratedTreeCount <= 100)
            throw new InvalidOperationException($"Only {GeneratedTreeCount} generated trees (expected > 100): is the spec option seen?");
    }

    /// <summary>Path of the spec being measured (after <see cref="Setup"/>).</summary>
    public string SpecPath => _specPath;

    [Benchmark(Baseline = true, Description = "NSwag parse")]
    public async Task<int> NSwagParse()
    {
        var document = await NSwag.OpenApiDocument.FromJsonAsync(_specText).ConfigureAwait(false);
        return document.Paths.Count;
    }

    [Benchmark(Description = "KsefGen generation")]
    public int Generation()
    {
        var total = 0;
        foreach (var tree in RunGenerator().GeneratedTrees)
        {
            total += tree.Length;
        }
        return total;
    }

    /// <summary>A fresh driver each time, so every run is a cold, full generation.</summary>
    private GeneratorDriverRunResult RunGenerator()
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new KsefClientGenerator().AsSourceGenerator()],
            [_additionalText],
            _parseOptions,
            _optionsProvider);
        driver = driver.RunGenerators(_compilation);
        return driver.GetRunResult();
    }
}

/// <summary>An AdditionalFile held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>The options MSBuild would hand the generator: the spec flagged KsefGenSpec=true, namespace Bench.Ksef.</summary>
internal sealed class BenchOptionsProvider(string specPath) : AnalyzerConfigOptionsProvider
{
    private static readonly AnalyzerConfigOptions Empty = new Options(ImmutableDictionary<string, string>.Empty);

    private readonly AnalyzerConfigOptions _specOptions = new Options(
        ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.KsefGenSpec", "true"));

    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(
        ImmutableDictionary<string, string>.Empty.Add("build_property.KsefGenNamespace", "Bench.Ksef"));

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        string.Equals(textFile.Path, specPath, StringComparison.Ordinal) ? _specOptions : Empty;

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}
