using System;
using System.Linq;

namespace KsefGen.Generator.Model;

/// <summary>
/// Which operations to generate: those of the given clients or tags (<c>KsefGenTags</c>), under the given path
/// prefixes (<c>KsefGenPaths</c>) or with the given names (<c>KsefGenOperations</c>); an operation any of them names is
/// generated, with the schemas it reaches. Nothing given means the whole spec.
/// </summary>
internal sealed record OperationSelection(EquatableArray<string> Tags, EquatableArray<string> Paths, EquatableArray<string> Operations)
{
    /// <summary>The whole spec.</summary>
    public static readonly OperationSelection All = new(EquatableArray<string>.Empty, EquatableArray<string>.Empty, EquatableArray<string>.Empty);

    /// <summary>True when nothing narrows the spec.</summary>
    public bool IsAll => Tags.Count == 0 && Paths.Count == 0 && Operations.Count == 0;

    /// <summary>Reads the three MSBuild values (';' or ',' separated lists; blanks ignored).</summary>
    public static OperationSelection Parse(string? tags, string? paths, string? operations)
    {
        var result = new OperationSelection(Split(tags), Split(paths), Split(operations));
        return result.IsAll ? All : result;
    }

    private static EquatableArray<string> Split(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? EquatableArray<string>.Empty
            : value!.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(v => v.Trim())
                .Where(v => v.Length > 0)
                .ToEquatableArray();
}
