using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using KsefGen.Bench;
using KsefGen.CompileCostBench;
using KsefGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

// Where the compiler spends its time on the generated code of the newest KSeF spec.
// Usage: dotnet run -c Release --project bench/KsefGen.CompileCostBench [-- --runs N] [--warmups N] [--release] [--docs]
//   [--save DIR] [--baseline DIR] [--count-only] [--check] [--quick]
//   --release  also Release (optimized) compilations; --docs  also DocumentationMode.Diagnose (GenerateDocumentationFile=true).
//   --save DIR  writes the generated files to DIR; --baseline DIR  also compiles the files saved there (interleaved),
//   so an older generator's output is measured under the same load; --count-only  prints line counts, no timing.
var runs = Options.Int(args, "--runs", 7);
var warmups = Options.Int(args, "--warmups", 3);
var specPath = SpecLocator.Find(out var searched);
if (specPath is null)
{
    Console.WriteLine($"CompileCostBench: no KSeF spec found ({searched}).");
    return 0;
}

// What the SDK passes: no -doc unless GenerateDocumentationFile is set; the command-line parser turns that into a mode.
var consumerDocMode = CSharpCommandLineParser.Default.Parse(["-langversion:latest", "Program.cs"], Environment.CurrentDirectory, null).ParseOptions.DocumentationMode;
var documentedDocMode = CSharpCommandLineParser.Default.Parse(["-langversion:latest", "-doc:x.xml", "Program.cs"], Environment.CurrentDirectory, null).ParseOptions.DocumentationMode;
var references = ReferenceAssemblies.Find(out var refDir);
Console.WriteLine($"spec {Path.GetFileName(specPath)}; {references.Length} reference assemblies from {refDir}");
Console.WriteLine($"DocumentationMode without -doc: {consumerDocMode}; with -doc: {documentedDocMode}; {warmups} warmups, median of {runs}");

var generated = Generation.Run(specPath, references);
if (Options.Text(args, "--save") is { } saveDir)
{
    // Keeps this output, so a later run can measure it interleaved with its own (--baseline DIR).
    Directory.CreateDirectory(saveDir);
    for (var i = 0; i < generated.Count; i++) File.WriteAllText(Path.Combine(saveDir, $"{i:D4}.g.cs"), generated[i]);
}
var baseline = Options.Text(args, "--baseline") is { } baseDir
    ? Directory.EnumerateFiles(baseDir, "*.g.cs").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList()
    : null;
Console.WriteLine($"generated {generated.Count} files, {generated.Sum(g => Counts.Lines(g)):N0} lines, {generated.Sum(g => g.Length):N0} chars");
Console.WriteLine();

// Line/char counts per construct (on the full output, parsed with documentation comments as structure).
Counts.Print(generated);
Console.WriteLine();
if (baseline is not null)
{
    Console.WriteLine($"baseline: {baseline.Count} files, {baseline.Sum(Counts.Lines):N0} lines, {baseline.Sum(g => g.Length):N0} chars");
    Counts.Print(baseline);
    Console.WriteLine();
}
if (args.Contains("--count-only")) return 0;
if (args.Contains("--check"))
{
    // Only whether the output compiles warning-free, as a console app with documentation comments checked.
    var problems = new CompileBench(references, new CSharpParseOptions(LanguageVersion.Latest, documentedDocMode), OptimizationLevel.Debug).Check(generated, strict: true);
    foreach (var problem in problems.Take(20)) Console.WriteLine(problem);
    Console.WriteLine($"check: {problems.Count} errors/warnings");
    return problems.Count == 0 ? 0 : 1;
}

// --quick: only the full output, the empty app and the baseline (a before/after check).
Variant[] chosen = args.Contains("--quick") ? [.. Variants.All.Where(v => v.Name is "full" or "empty app")] : Variants.All;
var variants = baseline is null ? chosen : [.. chosen, new Variant("baseline (--baseline): full", null)];
var configs = new List<(string Name, DocumentationMode Doc, OptimizationLevel Opt)> { ("Debug, no -doc (console app)", consumerDocMode, OptimizationLevel.Debug) };
if (args.Contains("--docs")) configs.Add(("Debug, -doc (GenerateDocumentationFile)", documentedDocMode, OptimizationLevel.Debug));
if (args.Contains("--release")) configs.Add(("Release, no -doc", consumerDocMode, OptimizationLevel.Release));

foreach (var (name, doc, opt) in configs)
{
    var parse = new CSharpParseOptions(LanguageVersion.Latest, doc);
    var texts = variants.Select(v => (v.Name, Texts: v.Name.StartsWith("baseline", StringComparison.Ordinal) ? baseline! : v.Rewrite is null ? generated : generated.Select(g => v.Rewrite(g, parse)).ToList())).ToList();
    var bench = new CompileBench(references, parse, opt);
    // A check run: the full output must compile without errors or warnings (variants only without errors).
    foreach (var (variant, vtexts) in texts)
    {
        var problems = bench.Check(vtexts, strict: variant == "full");
        if (problems.Count > 0) Console.WriteLine($"[{variant}] {problems.Count} problems, first: {string.Join(" | ", problems.Take(3))}");
    }
    for (var i = 0; i < warmups; i++) foreach (var (_, vtexts) in texts) bench.Compile(vtexts);
    var wall = texts.ToDictionary(t => t.Name, _ => new List<double>());
    var cpu = texts.ToDictionary(t => t.Name, _ => new List<double>());
    for (var r = 0; r < runs; r++)
    {
        // Interleaved, so a noisy neighbour on the shared cores hits every variant alike.
        foreach (var (variant, vtexts) in texts)
        {
            var (w, c) = bench.Compile(vtexts);
            wall[variant].Add(w);
            cpu[variant].Add(c);
        }
    }
    // CPU time of this process (all threads) is the steadier number on shared cores; wall time is what a build waits.
    var med = cpu.ToDictionary(p => p.Key, p => Options.Median(p.Value));
    var medWall = wall.ToDictionary(p => p.Key, p => Options.Median(p.Value));
    var full = med["full"];
    var empty = med["empty app"];
    Console.WriteLine($"== {name} (parse + declaration diagnostics + emit with PDB; medians)");
    Console.WriteLine($"{"variant",-44}{"CPU ms",9}{"saved",8}{"share",8}{"wall ms",10}");
    foreach (var variant in variants)
    {
        var ms = med[variant.Name];
        var saved = full - ms;
        var plain = variant.Name is "full" or "empty app" || variant.Name.StartsWith("baseline", StringComparison.Ordinal);
        var share = plain ? "" : (saved / (full - empty)).ToString("P0", CultureInfo.InvariantCulture);
        Console.WriteLine($"{variant.Name,-44}{ms,9:F0}{(plain ? "" : saved.ToString("F0", CultureInfo.InvariantCulture)),8}{share,8}{medWall[variant.Name],10:F0}");
    }
    Console.WriteLine($"generated code costs {full - empty:F0} ms CPU over the empty app ({empty:F0} ms); full / empty = {full / empty:F2}");
    Console.WriteLine();
}
return 0;

namespace KsefGen.CompileCostBench
{
    internal static class Options
    {
        public static int Int(string[] args, string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
        }

        public static string? Text(string[] args, string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        public static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    /// <summary>The net10.0 reference assemblies of the SDK's targeting pack (what a console app compiles against).</summary>
    internal static class ReferenceAssemblies
    {
        public static MetadataReference[] Find(out string directory)
        {
            // <dotnet root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll → <dotnet root>.
            var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
            var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
            directory = Directory.Exists(packs)
                ? Directory.EnumerateDirectories(packs)
                    .Where(d => Path.GetFileName(d).StartsWith("10.", StringComparison.Ordinal))
                    .Select(d => Path.Combine(d, "ref", "net10.0"))
                    .Where(Directory.Exists)
                    .OrderBy(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))!).Split('-')[0], out var v) ? v : new Version())
                    .LastOrDefault() ?? ""
                : "";
            if (directory.Length == 0) throw new InvalidOperationException($"No net10.0 reference pack under {packs}.");
            return Directory.EnumerateFiles(directory, "*.dll").Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
        }
    }

    /// <summary>Runs the generator once, as a console app with the spec as AdditionalFile would.</summary>
    internal static class Generation
    {
        public static List<string> Run(string specPath, MetadataReference[] references)
        {
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var compilation = CSharpCompilation.Create("App", CompileBench.AppTrees(parse), references,
                new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                [new KsefClientGenerator().AsSourceGenerator()], [new SpecText(specPath)], parse, new SpecOptions(specPath));
            var result = driver.RunGenerators(compilation).GetRunResult();
            var run = result.Results.Single();
            if (run.Exception is not null) throw new InvalidOperationException("The generator threw.", run.Exception);
            if (!result.Diagnostics.IsEmpty) throw new InvalidOperationException("Generator diagnostics: " + string.Join("; ", result.Diagnostics));
            return run.GeneratedSources.Select(s => s.SourceText.ToString()).ToList();
        }

        private sealed class SpecText(string path) : AdditionalText
        {
            private readonly Microsoft.CodeAnalysis.Text.SourceText _text = Microsoft.CodeAnalysis.Text.SourceText.From(File.ReadAllText(path));

            public override string Path { get; } = path;

            public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) => _text;
        }

        private sealed class SpecOptions(string specPath) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
        {
            private static readonly Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions Empty = new Values(ImmutableDictionary<string, string>.Empty);
            private readonly Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions _spec = new Values(ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.KsefGenSpec", "true"));

            public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions { get; } = new Values(ImmutableDictionary<string, string>.Empty.Add("build_property.KsefGenNamespace", "App.Ksef"));

            public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

            public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => textFile.Path == specPath ? _spec : Empty;

            private sealed class Values(ImmutableDictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
            {
                public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
            }
        }
    }

    /// <summary>One compilation as csc does it: parse every text, declaration diagnostics, then emit (which binds and reports method bodies).</summary>
    internal sealed class CompileBench(MetadataReference[] references, CSharpParseOptions parse, OptimizationLevel optimization)
    {
        private readonly CSharpCompilationOptions _options = new CSharpCompilationOptions(OutputKind.ConsoleApplication,
            nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: optimization, deterministic: true)
            .WithSpecificDiagnosticOptions([new("CS1591", ReportDiagnostic.Suppress)]);

        /// <summary>A console app: a global-usings file as ImplicitUsings writes it, and a one-line Program.cs.</summary>
        public static SyntaxTree[] AppTrees(CSharpParseOptions parse) =>
        [
            CSharpSyntaxTree.ParseText("""
                // <auto-generated/>
                global using global::System;
                global using global::System.Collections.Generic;
                global using global::System.IO;
                global using global::System.Linq;
                global using global::System.Net.Http;
                global using global::System.Threading;
                global using global::System.Threading.Tasks;
                """, parse, "App.GlobalUsings.g.cs", System.Text.Encoding.UTF8),
            CSharpSyntaxTree.ParseText("""Console.WriteLine("Hello, KSeF");""", parse, "Program.cs", System.Text.Encoding.UTF8),
        ];

        private CSharpCompilation Create(IReadOnlyList<string> texts) => CSharpCompilation.Create("App",
            AppTrees(parse).Concat(texts.Select((t, i) => CSharpSyntaxTree.ParseText(t, parse, $"g{i}.g.cs", System.Text.Encoding.UTF8))), references, _options);

        public List<string> Check(IReadOnlyList<string> texts, bool strict)
        {
            var compilation = Create(texts);
            using var pe = new MemoryStream();
            var result = compilation.Emit(pe);
            return compilation.GetDiagnostics().Concat(result.Diagnostics)
                .Where(d => d.Severity == DiagnosticSeverity.Error || strict && d.Severity == DiagnosticSeverity.Warning)
                .Select(d => d.ToString()).Distinct().ToList();
        }

        public (double Wall, double Cpu) Compile(IReadOnlyList<string> texts)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var compilation = Create(texts);
            _ = compilation.GetParseDiagnostics();
            _ = compilation.GetDeclarationDiagnostics();
            using var pe = new MemoryStream();
            using var pdb = new MemoryStream();
            var result = compilation.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
            if (!result.Success) throw new InvalidOperationException("Emit failed: " + result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
            var elapsed = watch.Elapsed.TotalMilliseconds;
            process.Refresh();
            return (elapsed, (process.TotalProcessorTime - cpu).TotalMilliseconds);
        }
    }
}
