using System.Collections.Generic;
using System.Linq;
using KsefGen.Generator.Emitting;
using KsefGen.Generator.Model;
using KsefGen.Generator.Reading;
using Microsoft.CodeAnalysis;

namespace KsefGen.Generator;

/// <summary>
/// Generates typed KSeF clients, models, string enums and status-code types from an OpenAPI document given as an
/// AdditionalFile (named <c>*.openapi.json</c>, or with metadata <c>KsefGenSpec="true"</c>).
/// The pipeline: spec files → spec inputs (with naming files) → spec models → source text.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KsefClientGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specFiles = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => SpecInputReader.ToSpecFile(pair.Left, pair.Right, ct))
            .Where(static file => file is not null)
            .Select(static (file, _) => file!)
            .WithTrackingName(TrackingNames.SpecInputs);

        var namingFiles = context.AdditionalTextsProvider
            .Where(static file => SpecInputReader.IsNamingFile(file))
            .Select(static (file, ct) => new SpecInputReader.NamingFile(file.Path, file.GetText(ct)?.ToString() ?? ""))
            .WithTrackingName(TrackingNames.NamingFiles)
            .Collect();

        var inputs = specFiles
            .Combine(namingFiles)
            .Select(static (pair, _) => SpecInputReader.ToInput(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.SpecWithNames);

        var models = inputs
            .Select(static (input, ct) => SpecReader.Read(input, ct))
            .WithTrackingName(TrackingNames.SpecModels);

        // With KsefGen.Runtime referenced, generated paging fails with the runtime's KsefPagingException, so a
        // consumer catches one type whether it pages through the generated Enumerate methods or through KsefPager.
        var runtimePaging = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(RuntimePagingException) is not null)
            .WithTrackingName(TrackingNames.RuntimeReference);

        context.RegisterSourceOutput(models.Combine(runtimePaging), static (spc, pair) => Emit(spc, pair.Left, pair.Right));
    }

    /// <summary>The runtime's paging-failure exception, used by generated paging when the runtime is referenced.</summary>
    internal const string RuntimePagingException = "KsefGen.Runtime.Paging.KsefPagingException";

    private static void Emit(SourceProductionContext context, SpecModel spec, bool runtimePaging)
    {
        foreach (var diagnostic in spec.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
        foreach (var (hintName, source) in SourceFiles(spec, runtimePaging))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.AddSource(hintName, source);
        }
    }

    /// <summary>
    /// Every generated file of a spec, with stable hint names, in a fixed order. Hint names are unique ignoring case
    /// (AddSource compares them so, and so do the file systems of Windows and macOS): of two types whose names differ only
    /// in case, the second in this order gets "_2" in its file name.
    /// </summary>
    internal static IEnumerable<(string HintName, string Source)> SourceFiles(SpecModel spec, bool runtimePaging = false)
    {
        var taken = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        foreach (var (hintName, source) in SourceFilesCore(spec, runtimePaging))
        {
            var stem = hintName.Substring(0, hintName.Length - ".g.cs".Length);
            var unique = hintName;
            for (var i = 2; !taken.Add(unique); i++) unique = stem + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
            yield return (unique, source);
        }
    }

    private static IEnumerable<(string HintName, string Source)> SourceFilesCore(SpecModel spec, bool runtimePaging)
    {
        if (spec.Clients.Count == 0 && spec.Objects.Count == 0 && spec.Enums.Count == 0) yield break;
        var prefix = spec.HintPrefix + "/";
        yield return (prefix + "KsefApiException.g.cs", SupportEmitter.EmitErrors(spec));
        yield return (prefix + "KsefResponses.g.cs", SupportEmitter.EmitResponses(spec));
        yield return (prefix + "Internal/KsefJson.g.cs", SupportEmitter.EmitJsonInternals(spec));
        yield return (prefix + "Internal/KsefPaging.g.cs", SupportEmitter.EmitPaging(spec, runtimePaging));
        yield return (prefix + "Internal/KsefHttp.g.cs", SupportEmitter.EmitHttp(spec));
        yield return (prefix + "KsefJsonContext.g.cs", SupportEmitter.EmitJsonContext(spec));
        yield return (prefix + "Clients/" + spec.RootClientName + ".g.cs", ClientEmitter.EmitRoot(spec));
        foreach (var client in spec.Clients)
        {
            yield return (prefix + "Clients/" + client.Name + ".g.cs", ClientEmitter.Emit(spec, client));
        }
        var objects = spec.Objects.ToDictionary(o => o.Name, System.StringComparer.Ordinal);
        foreach (var model in spec.Objects)
        {
            yield return (prefix + "Models/" + model.Name + ".g.cs", ModelEmitter.Emit(spec, model, objects));
        }
        foreach (var model in spec.Enums)
        {
            yield return (prefix + "Enums/" + model.Name + ".g.cs", EnumEmitter.Emit(spec, model));
        }
        foreach (var table in spec.StatusTables)
        {
            yield return (prefix + "StatusCodes/" + table.Name + ".g.cs", StatusCodeEmitter.Emit(spec, table));
        }
    }
}
