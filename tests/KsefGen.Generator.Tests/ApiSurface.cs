using System.Text;
using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>Lists the public types and members of a namespace, one signature a line, in a stable order.</summary>
internal static class ApiSurface
{
    private static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.CSharpErrorMessageFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType
            | SymbolDisplayMemberOptions.IncludeModifiers | SymbolDisplayMemberOptions.IncludeConstantValue)
        .WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName
            | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut);

    public static string Describe(Compilation compilation, string ns)
    {
        var sb = new StringBuilder();
        var types = new List<INamedTypeSymbol>();
        Collect(compilation.GlobalNamespace, types);
        foreach (var type in types
                     .Where(t => t.DeclaredAccessibility == Accessibility.Public && t.ContainingNamespace.ToDisplayString().StartsWith(ns, StringComparison.Ordinal))
                     .OrderBy(t => t.ToDisplayString(), StringComparer.Ordinal))
        {
            sb.Append(type.TypeKind.ToString().ToLowerInvariant()).Append(' ').Append(type.ToDisplayString()).Append('\n');
            foreach (var member in type.GetMembers()
                         .Where(m => m.DeclaredAccessibility == Accessibility.Public && !m.IsImplicitlyDeclared
                                     && m is not IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet })
                         .Select(m => m.ToDisplayString(Format))
                         .OrderBy(s => s, StringComparer.Ordinal))
            {
                sb.Append("    ").Append(member).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static void Collect(INamespaceSymbol ns, List<INamedTypeSymbol> types)
    {
        foreach (var member in ns.GetMembers())
        {
            if (member is INamespaceSymbol child) Collect(child, types);
            else if (member is INamedTypeSymbol type) types.Add(type);
        }
    }
}
