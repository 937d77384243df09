using System;
using System.Collections.Generic;
using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Reading;

internal sealed partial class SpecReader
{
    private static readonly string[] StatusReservedMembers =
    {
        "Value", "IsKnown", "IsInProgress", "IsSuccess", "IsTerminal", "IsFailure", "Name", "Description",
        "Descriptions", "DocumentedExtensions", "KnownCodes", "FromCode", "Equals", "GetHashCode", "ToString", "CompareTo",
        "GetType", "MemberwiseClone", "ReferenceEquals", "Finalize",
    };

    private sealed class StatusBuilder
    {
        public StatusBuilder(string name) => Name = name;

        public string Name { get; }
        public List<string> Sources { get; } = new();
        public SortedDictionary<int, StatusRowBuilder> Rows { get; } = new();
        public bool HasWildcard { get; set; }
    }

    private sealed class StatusRowBuilder
    {
        public List<(string? Scope, string Description, List<string> Details)> Variants { get; } = new();
        public List<string> Extensions { get; } = new();
    }

    /// <summary>Records the rows of a status table found in a property description; returns the status-code type name.</summary>
    private string? RegisterStatusTable(string ownerSchema, string jsonName, ParsedStatusTables parsed, TypeRef statusType, string pointer)
    {
        var source = ownerSchema + "." + jsonName;
        foreach (var problem in parsed.Problems)
        {
            Report(Diagnostics.UnparsableStatusTable, pointer + "/description", source, problem);
        }
        if (parsed.Rows.Count == 0) return null;

        var name = _names.StatusCode(source);
        if (name is null && !KnownNames.StatusTables.TryGetValue(source, out name))
        {
            var baseName = Naming.Pascal(ownerSchema);
            if (baseName.EndsWith("Response", StringComparison.Ordinal)) baseName = baseName.Substring(0, baseName.Length - "Response".Length);
            if (jsonName != "status") baseName += Naming.Pascal(jsonName);
            name = baseName.EndsWith("Status", StringComparison.Ordinal) ? baseName + "Code" : baseName + "StatusCode";
        }

        if (!_statusTables.TryGetValue(name!, out var builder))
        {
            name = UniqueTypeName(name!, "status-code type", pointer);
            builder = new StatusBuilder(name);
            _statusTables[name] = builder;
        }
        builder.Sources.Add(source);

        foreach (var row in parsed.Rows)
        {
            if (row.Code is not { } code)
            {
                builder.HasWildcard = true;
                continue;
            }
            if (!builder.Rows.TryGetValue(code, out var rowBuilder))
            {
                rowBuilder = new StatusRowBuilder();
                builder.Rows[code] = rowBuilder;
            }
            var index = rowBuilder.Variants.FindIndex(v => v.Scope == row.Scope && v.Description == row.Description);
            if (index < 0)
            {
                rowBuilder.Variants.Add((row.Scope, row.Description, new List<string>()));
                index = rowBuilder.Variants.Count - 1;
            }
            if (row.Details is { } details && !rowBuilder.Variants[index].Details.Contains(details))
            {
                rowBuilder.Variants[index].Details.Add(details);
            }
            foreach (var key in row.Extensions)
            {
                if (!rowBuilder.Extensions.Contains(key)) rowBuilder.Extensions.Add(key);
            }
            if (row.Extensions.Count > 0 && statusType.Kind == TypeKind.Model && statusType.Name is { } target)
            {
                if (!_extensionKeys.TryGetValue(target, out var keys)) _extensionKeys[target] = keys = new List<string>();
                foreach (var key in row.Extensions)
                {
                    if (!keys.Contains(key)) keys.Add(key);
                }
            }
        }
        return name;
    }

    private List<StatusTableModel> BuildStatusTables()
    {
        var result = new List<StatusTableModel>();
        foreach (var builder in _statusTables.Values.OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            var taken = new HashSet<string>(StatusReservedMembers, StringComparer.Ordinal) { builder.Name };
            var rows = new List<StatusRowModel>();
            foreach (var pair in builder.Rows)
            {
                var code = pair.Key;
                var row = pair.Value;
                var candidate = KnownNames.StatusMember(builder.Name, code);
                candidate ??= MemberNameFromDescription(row.Variants[0].Description);
                candidate ??= "Code" + code.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var memberName = taken.Contains(candidate)
                    ? Naming.Unique(candidate + code.ToString(System.Globalization.CultureInfo.InvariantCulture), taken)
                    : Naming.Unique(candidate, taken);
                rows.Add(new StatusRowModel(
                    code,
                    memberName,
                    row.Variants.Select(v => new StatusVariantModel(v.Scope, v.Description, v.Details.ToEquatableArray())).ToEquatableArray(),
                    row.Extensions.ToEquatableArray()));
            }
            result.Add(new StatusTableModel(builder.Name, builder.Sources.ToEquatableArray(), rows.ToEquatableArray(), builder.HasWildcard));
        }
        return result;
    }

    /// <summary>An English name for a row of a table KsefGen has no names for: from a known Polish phrase, or from English text.</summary>
    private static string? MemberNameFromDescription(string description)
    {
        var plain = Naming.RemoveDiacritics(description).Trim().TrimEnd('.').ToLowerInvariant();
        var brace = plain.IndexOf('(');
        if (brace > 0) plain = plain.Substring(0, brace).Trim();
        if (KnownNames.StatusPhrases.TryGetValue(plain, out var phrase)) return phrase;
        if (description.Any(c => c > 127)) return null;
        var words = description.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words.Length > 6) return null;
        var name = Naming.Pascal(description);
        return name.StartsWith("_", StringComparison.Ordinal) ? null : name;
    }
}
