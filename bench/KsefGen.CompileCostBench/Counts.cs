using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KsefGen.CompileCostBench;

/// <summary>Lines and characters of the generated text per construct; each line goes to one construct.</summary>
internal static class Counts
{
    public static int Lines(string text) => text.Count(c => c == '\n');

    public static void Print(IReadOnlyList<string> texts)
    {
        var lines = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var chars = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            var tree = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose));
            var root = tree.GetRoot();
            foreach (var line in tree.GetText().Lines)
            {
                var content = line.ToString();
                var kind = Classify(root, line.Start, content);
                lines[kind] = lines.GetValueOrDefault(kind) + 1;
                chars[kind] = chars.GetValueOrDefault(kind) + content.Length + 1;
            }
        }
        Console.WriteLine($"{"construct",-40}{"lines",9}{"chars",12}");
        foreach (var kind in lines.Keys) Console.WriteLine($"{kind,-40}{lines[kind],9:N0}{chars[kind],12:N0}");
        Console.WriteLine($"{"total",-40}{lines.Values.Sum(),9:N0}{chars.Values.Sum(),12:N0}");
    }

    private static string Classify(SyntaxNode root, int position, string content)
    {
        var trimmed = content.TrimStart();
        if (trimmed.StartsWith("///", StringComparison.Ordinal)) return "XML doc comments";
        if (trimmed.Length == 0) return "blank";
        var token = root.FindToken(position + (content.Length - trimmed.Length));
        foreach (var node in token.Parent?.AncestorsAndSelf() ?? [])
        {
            switch (node)
            {
                case MethodDeclarationSyntax method when Variants.IsIterator(method):
                    return "async iterator methods (paging)";
                case MethodDeclarationSyntax method when method.Parent is ClassDeclarationSyntax c && IsClient(c):
                    return "client operation methods";
                case ClassDeclarationSyntax c when c.Identifier.Text.EndsWith("JsonConverter", StringComparison.Ordinal):
                    return "JSON converters";
                case ClassDeclarationSyntax { Identifier.Text: "KsefJsonContext" }:
                    return "KsefJsonContext";
                case StructDeclarationSyntax:
                    return "enum/status structs";
                case BaseTypeDeclarationSyntax t when t.Parent is BaseNamespaceDeclarationSyntax ns && (ns.Name.ToString().EndsWith(".Internal", StringComparison.Ordinal) || t.Identifier.Text.StartsWith("Ksef", StringComparison.Ordinal)):
                    return "support types";
                case ClassDeclarationSyntax c when IsClient(c):
                    return "client classes (other members)";
                case ClassDeclarationSyntax:
                    return "model classes";
                case DelegateDeclarationSyntax:
                    return "support types";
            }
        }
        return "file header, namespaces";
    }

    /// <summary>A tag's client: a class holding an HttpClient field.</summary>
    private static bool IsClient(ClassDeclarationSyntax c) =>
        c.Members.OfType<FieldDeclarationSyntax>().Any(f => f.Declaration.Variables.Any(v => v.Identifier.Text == "_httpClient"));
}
