using System;
using System.Collections.Immutable;
using System.IO;
using System.Threading;
using KsefGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace KsefGen.Generator.Reading;

/// <summary>Decides which AdditionalFiles are specs or naming files, and reads their settings.</summary>
internal static class SpecInputReader
{
    /// <summary>A spec file with its settings.</summary>
    internal sealed record SpecFile(string Path, string Text, string Namespace, string ClientName, string? NamesPath, OperationSelection Selection);

    /// <summary>A naming file.</summary>
    internal sealed record NamingFile(string Path, string Text);

    public static bool IsSpec(AdditionalText file, AnalyzerConfigOptionsProvider options)
    {
        var fileOptions = options.GetOptions(file);
        if (fileOptions.TryGetValue("build_metadata.AdditionalFiles.KsefGenSpec", out var flag) && !string.IsNullOrEmpty(flag))
        {
            return string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);
        }
        return file.Path.EndsWith(".openapi.json", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsNamingFile(AdditionalText file) =>
        file.Path.EndsWith(".names.json", StringComparison.OrdinalIgnoreCase);

    public static SpecFile? ToSpecFile(AdditionalText file, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        if (!IsSpec(file, options)) return null;
        var fileOptions = options.GetOptions(file);
        var global = options.GlobalOptions;
        string? Get(AnalyzerConfigOptions o, string key) => o.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var ns = Get(fileOptions, "build_metadata.AdditionalFiles.KsefGenNamespace")
            ?? Get(global, "build_property.KsefGenNamespace")
            ?? (Get(global, "build_property.RootNamespace") is { } root ? root + ".Ksef" : "KsefGen.Client");
        var client = Get(fileOptions, "build_metadata.AdditionalFiles.KsefGenClientName")
            ?? Get(global, "build_property.KsefGenClientName")
            ?? "KsefClient";
        var names = Get(fileOptions, "build_metadata.AdditionalFiles.KsefGenNames");
        // A subset: item metadata wins over the project-wide property of the same name.
        string? Subset(string name) => Get(fileOptions, "build_metadata.AdditionalFiles." + name) ?? Get(global, "build_property." + name);
        var selection = OperationSelection.Parse(Subset("KsefGenTags"), Subset("KsefGenPaths"), Subset("KsefGenOperations"));
        var text = file.GetText(cancellationToken)?.ToString() ?? "";
        return new SpecFile(file.Path, text, ns, Naming.TypeName(client), names, selection);
    }

    /// <summary>Picks its naming file: metadata KsefGenNames, else "{spec}.names.json" or "ksefgen.names.json" beside it.</summary>
    public static SpecInput ToInput(SpecFile spec, ImmutableArray<NamingFile> namingFiles)
    {
        var directory = Path.GetDirectoryName(spec.Path) ?? "";
        var specName = Path.GetFileName(spec.Path);
        var baseName = specName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? specName.Substring(0, specName.Length - 5) : specName;
        NamingFile? chosen = null;
        foreach (var naming in namingFiles)
        {
            var namingDirectory = Path.GetDirectoryName(naming.Path) ?? "";
            var namingName = Path.GetFileName(naming.Path);
            if (spec.NamesPath is not null)
            {
                if (PathEquals(naming.Path, spec.NamesPath) || PathEquals(naming.Path, Path.Combine(directory, spec.NamesPath))) chosen = naming;
                continue;
            }
            if (!PathEquals(namingDirectory, directory)) continue;
            if (string.Equals(namingName, baseName + ".names.json", StringComparison.OrdinalIgnoreCase)) chosen = naming;
            else if (chosen is null && string.Equals(namingName, "ksefgen.names.json", StringComparison.OrdinalIgnoreCase)) chosen = naming;
        }
        return new SpecInput(spec.Path, spec.Text, spec.Namespace, spec.ClientName, chosen?.Path, chosen?.Text, spec.Selection);
    }

    private static bool PathEquals(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd('/', '\\'), Path.GetFullPath(b).TrimEnd('/', '\\'), StringComparison.OrdinalIgnoreCase);
}
