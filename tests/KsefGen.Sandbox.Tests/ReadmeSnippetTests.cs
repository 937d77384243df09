using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// Every C# snippet in the repository's READMEs compiles: each ```csharp block becomes a small program of top-level
/// statements, compiled against the generated client (this assembly, namespace KsefGen.Sandbox.Tests.Client), the
/// runtime and the sandbox. A snippet names the values it takes from its surroundings in a first comment line,
/// <c>// given: HttpClient http, string nip, CancellationToken ct</c>, which the test declares for it. A snippet of
/// type declarations only (no statements) is compiled as a library; it may start with its own using directives when it
/// has no <c>// given:</c> line.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly string[] Usings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks", "System.Security.Cryptography.X509Certificates",
        "KsefGen.Runtime", "KsefGen.Runtime.Api", "KsefGen.Runtime.Auth", "KsefGen.Runtime.Crypto", "KsefGen.Runtime.Http",
        "KsefGen.Runtime.Paging", "KsefGen.Runtime.Sending", "KsefGen.Runtime.Status", "KsefGen.Runtime.Upo",
        "Microsoft.Extensions.DependencyInjection", "KsefGen.Sandbox.Tests.Client", "KsefGen.Sandbox",
    ];

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        var references = new List<MetadataReference>();
        foreach (var path in paths)
        {
            try
            {
                AssemblyName.GetAssemblyName(path);
                references.Add(MetadataReference.CreateFromFile(path));
            }
            catch (BadImageFormatException)
            {
                // Native libraries in the output folder.
            }
        }
        return references;
    });

    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var readme in Readmes())
        {
            var count = CSharpBlocks(File.ReadAllText(Path.Combine(RepoRoot, readme))).Count;
            for (var i = 0; i < count; i++) data.Add(readme, i + 1);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void ReadmeSnippetCompiles(string readme, int number)
    {
        var snippet = CSharpBlocks(File.ReadAllText(Path.Combine(RepoRoot, readme)))[number - 1];
        var diagnostics = Compile(snippet).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(diagnostics.Count == 0,
            $"{readme}, C# snippet {number} does not compile:\n{string.Join("\n", diagnostics.Select(d => d.ToString()))}\n---\n{snippet}");
    }

    [Fact]
    public void TheCheckCatchesASnippetThatDoesNotCompile()
    {
        Assert.DoesNotContain(Compile("// given: HttpClient http, CancellationToken ct\nvar text = await http.GetStringAsync(\"x\", ct);"), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains(Compile("var s = await KsefAuthenticator.WithKsefTokenAsync(nip, token);"), d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(Compile("using Xunit;\npublic sealed class Fixture : IAsyncLifetime\n{\n    public KsefSandbox Sandbox { get; private set; } = null!;\n    public async ValueTask InitializeAsync() => Sandbox = await KsefSandbox.StartAsync();\n    public ValueTask DisposeAsync() => Sandbox.DisposeAsync();\n}"), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains(Compile("public sealed class Fixture { public KsefSandbox Sandbox => KsefSandbox.Start(); }"), d => d.Severity == DiagnosticSeverity.Error);
        Assert.NotEmpty(Readmes());
    }

    private static IEnumerable<Diagnostic> Compile(string snippet)
    {
        var given = Given().Match(snippet);
        var declarations = given.Success
            ? string.Join("\n", SplitTopLevel(given.Groups[1].Value).Select(v => $"{v} = default!;"))
            : "";
        var source = string.Join("\n", Usings.Select(u => $"using {u};")) + "\n#nullable enable\n" + declarations + "\n#line 1\n" + snippet + "\n";
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        // Statements make a small program; a snippet of declarations only (a test fixture, say) is a library.
        var kind = ((CompilationUnitSyntax)tree.GetRoot()).Members.OfType<GlobalStatementSyntax>().Any()
            ? OutputKind.ConsoleApplication
            : OutputKind.DynamicallyLinkedLibrary;
        var compilation = CSharpCompilation.Create("Snippet", [tree], References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics();
    }

    /// <summary>Splits "A a, IDictionary&lt;K, V&gt; b" at the commas outside angle brackets.</summary>
    private static IEnumerable<string> SplitTopLevel(string declarations)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= declarations.Length; i++)
        {
            if (i == declarations.Length || (declarations[i] == ',' && depth == 0))
            {
                var part = declarations[start..i].Trim();
                if (part.Length > 0) yield return part;
                start = i + 1;
            }
            else if (declarations[i] == '<') depth++;
            else if (declarations[i] == '>') depth--;
        }
    }

    /// <summary>
    /// The C# blocks to compile here. The root README's "Use it in your project" blocks are whole files of a user's
    /// solution (namespaces, test classes, its own generated client): tests/KsefGen.GettingStarted.Tests writes them
    /// into that solution and builds and runs it, which checks them more strictly than compiling them here could.
    /// </summary>
    private static List<string> CSharpBlocks(string markdown) =>
        [.. Block().Matches(WithoutWalkthrough(markdown)).Select(m => m.Groups[1].Value)];

    private static string WithoutWalkthrough(string markdown)
    {
        var start = markdown.IndexOf("\n## Use it in your project\n", StringComparison.Ordinal);
        if (start < 0) return markdown;
        var end = markdown.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return markdown[..start] + (end < 0 ? "" : markdown[end..]);
    }

    private static IReadOnlyList<string> Readmes() =>
        [.. Directory.EnumerateFiles(RepoRoot, "README.md", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(RepoRoot, p).Replace('\\', '/'))
            .Where(p => !p.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or ".git"))
            .Order(StringComparer.Ordinal)];

    private static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KsefGen.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("KsefGen.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^```(?:csharp|cs|c#)[ \t]*\r?\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"^\s*//\s*given:\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex Given();
}
