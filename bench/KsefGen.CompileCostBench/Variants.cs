using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KsefGen.CompileCostBench;

/// <summary>One way of cutting a construct out of the generated text (null: the text as generated).</summary>
internal sealed record Variant(string Name, Func<string, CSharpParseOptions, string>? Rewrite);

/// <summary>The variants whose compile time, subtracted from the full output's, attributes cost to a construct.</summary>
internal static class Variants
{
    public static readonly Variant[] All =
    [
        new("full", null),
        new("- XML doc comments", (text, _) => new DocStripper().Visit(Parse(text)).ToFullString()),
        new("- JSON converter Read/Write bodies", Stub(m => InClass(m, n => n.EndsWith("JsonConverter", StringComparison.Ordinal)) && m is MethodDeclarationSyntax { Identifier.Text: "Read" or "Write" })),
        new("- async method bodies (not iterators)", Stub(m => m is MethodDeclarationSyntax method && IsAsync(method) && !IsIterator(method))),
        new("- async iterator bodies (paging)", Stub(m => m is MethodDeclarationSyntax method && IsIterator(method))),
        new("- KsefJsonContext member bodies", Stub(m => InClass(m, n => n == "KsefJsonContext"))),
        new("- enum/status struct member bodies", Stub(m => m.Parent is StructDeclarationSyntax)),
        new("- nullable analysis (#nullable disable warnings)", (text, _) => text.Replace("#nullable enable\n", "#nullable enable annotations\n#nullable disable warnings\n").Replace("#nullable enable warnings\n", "")),
        new("- every member body (declarations only)", Stub(_ => true)),
        new("empty app", (_, _) => ""),
    ];

    private static SyntaxNode Parse(string text) =>
        CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose)).GetRoot();

    private static Func<string, CSharpParseOptions, string> Stub(Func<MemberDeclarationSyntax, bool> predicate) =>
        (text, _) => new BodyStubber(predicate).Visit(Parse(text)).ToFullString();

    private static bool InClass(MemberDeclarationSyntax member, Func<string, bool> name) =>
        member.Parent is ClassDeclarationSyntax c && name(c.Identifier.Text);

    public static bool IsAsync(MethodDeclarationSyntax method) => method.Modifiers.Any(SyntaxKind.AsyncKeyword);

    public static bool IsIterator(MethodDeclarationSyntax method) =>
        method.DescendantNodes().Any(n => n is YieldStatementSyntax);

    private sealed class DocStripper() : CSharpSyntaxRewriter(visitIntoStructuredTrivia: false)
    {
        public override SyntaxTrivia VisitTrivia(SyntaxTrivia trivia) =>
            trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia)
                ? default
                : trivia;
    }

    /// <summary>Replaces the bodies of the chosen methods, operators and expression-bodied properties by <c>throw null!</c>.</summary>
    private sealed class BodyStubber(Func<MemberDeclarationSyntax, bool> predicate) : CSharpSyntaxRewriter
    {
        private static readonly BlockSyntax Throw = SyntaxFactory.Block(SyntaxFactory.ParseStatement("throw null!;"));
        private static readonly ArrowExpressionClauseSyntax ThrowArrow = SyntaxFactory.ArrowExpressionClause(SyntaxFactory.ParseExpression("throw null!"));

        public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
        {
            if (!predicate(node) || node.Body is null && node.ExpressionBody is null) return base.VisitMethodDeclaration(node);
            var modifiers = SyntaxFactory.TokenList(node.Modifiers.Where(m => !m.IsKind(SyntaxKind.AsyncKeyword)));
            return node.WithModifiers(modifiers).WithExpressionBody(null).WithSemicolonToken(default).WithBody(Throw);
        }

        public override SyntaxNode? VisitOperatorDeclaration(OperatorDeclarationSyntax node) =>
            predicate(node) ? node.WithExpressionBody(null).WithSemicolonToken(default).WithBody(Throw) : node;

        public override SyntaxNode? VisitConversionOperatorDeclaration(ConversionOperatorDeclarationSyntax node) =>
            predicate(node) ? node.WithExpressionBody(null).WithSemicolonToken(default).WithBody(Throw) : node;

        public override SyntaxNode? VisitPropertyDeclaration(PropertyDeclarationSyntax node) =>
            predicate(node) && node.ExpressionBody is not null ? node.WithExpressionBody(ThrowArrow) : base.VisitPropertyDeclaration(node);
    }
}
