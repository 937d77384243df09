using System;
using System.Collections.Generic;
using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Reading;

internal sealed partial class SpecReader
{
    private SelectionMatcher _selection = null!;

    /// <summary>Matches operations against <see cref="OperationSelection"/> and remembers which selectors matched.</summary>
    private sealed class SelectionMatcher
    {
        private readonly OperationSelection _selection;
        private readonly HashSet<string> _matched = new(StringComparer.Ordinal);

        public SelectionMatcher(OperationSelection? selection) => _selection = selection ?? OperationSelection.All;

        public bool IsAll => _selection.IsAll;

        /// <summary>
        /// True when the operation is generated: a tag selector names its client (with or without "Client") or its
        /// tag (ignoring case and diacritics); a path selector is a prefix of its path ("/sessions" takes
        /// "/sessions/{referenceNumber}", not "/sessionsX"; "/v2" and parameter names do not matter); an operation
        /// selector is its method name (with or without "Async") or its "METHOD /path".
        /// </summary>
        public bool Includes(string key, string? tag, string clientName, string methodName)
        {
            if (IsAll) return true;
            var included = false;
            var clientBase = clientName.EndsWith("Client", StringComparison.Ordinal) ? clientName.Substring(0, clientName.Length - 6) : clientName;
            foreach (var selector in _selection.Tags)
            {
                if (string.Equals(selector, clientName, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(selector, clientBase, StringComparison.OrdinalIgnoreCase)
                    || (tag is not null && KnownNames.TagKey(selector) == KnownNames.TagKey(tag)))
                {
                    _matched.Add("t:" + selector);
                    included = true;
                }
            }
            var path = key.Substring(key.IndexOf(' ') + 1);
            foreach (var selector in _selection.Paths)
            {
                var prefix = OperationNaming.NormalizePath(selector);
                if (prefix == "/" || path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal))
                {
                    _matched.Add("p:" + selector);
                    included = true;
                }
            }
            foreach (var selector in _selection.Operations)
            {
                var bare = selector.EndsWith("Async", StringComparison.OrdinalIgnoreCase) ? selector.Substring(0, selector.Length - 5) : selector;
                if (string.Equals(bare, methodName, StringComparison.OrdinalIgnoreCase)
                    || (selector.IndexOf(' ') > 0 && NamingOverrides.NormalizeOperationKey(selector) == key))
                {
                    _matched.Add("o:" + selector);
                    included = true;
                }
            }
            return included;
        }

        /// <summary>A selector that matched no operation is a typo or a name the spec no longer has: say so.</summary>
        public void ReportUnmatched(SpecReader reader)
        {
            void Check(EquatableArray<string> selectors, string kind, string prefix)
            {
                foreach (var selector in selectors)
                {
                    if (!_matched.Contains(prefix + selector)) reader.Report(Diagnostics.UnmatchedSelector, null, kind, selector);
                }
            }
            Check(_selection.Tags, "KsefGenTags", "t:");
            Check(_selection.Paths, "KsefGenPaths", "p:");
            Check(_selection.Operations, "KsefGenOperations", "o:");
        }
    }

    /// <summary>
    /// For a subset: the models, enums and status-code types the generated operations reach (through parameters,
    /// bodies, responses and, transitively, properties), and nothing else. Names were given before, so they are the
    /// names the whole spec gets.
    /// </summary>
    private (List<ObjectModel> Objects, List<EnumModel> Enums, List<StatusTableModel> StatusTables) Reachable(
        List<ClientModel> clients, List<ObjectModel> objects, List<EnumModel> enums, List<StatusTableModel> statusTables)
    {
        var byName = objects.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        void Visit(TypeRef? type)
        {
            for (var t = type; t is not null; t = t.Element)
            {
                if (t.Name is { } name && reached.Add(name)) pending.Push(name);
            }
        }
        foreach (var operation in clients.SelectMany(c => c.Operations))
        {
            foreach (var parameter in operation.Parameters) Visit(parameter.Type);
            Visit(operation.Body?.Type);
            Visit(operation.Response.Type);
        }
        var statusTypes = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            if (!byName.TryGetValue(pending.Pop(), out var model)) continue;
            foreach (var property in model.Properties)
            {
                Visit(property.Type);
                if (property.StatusCodeType is { } statusType) statusTypes.Add(statusType);
            }
        }
        return (
            objects.Where(o => reached.Contains(o.Name)).ToList(),
            enums.Where(e => reached.Contains(e.Name)).ToList(),
            statusTables.Where(s => statusTypes.Contains(s.Name)).ToList());
    }
}
