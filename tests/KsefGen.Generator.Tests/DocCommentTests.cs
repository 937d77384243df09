using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>
/// The generated XML docs render: they compile with documentation checks on (as a consumer's build with
/// GenerateDocumentationFile does, where CS1570 and friends are errors), our own elements stay elements and
/// the spec's Markdown becomes XML doc structure.
/// </summary>
public sealed class DocCommentTests
{
    /// <summary>Badly formed XML, param mismatches, unresolved crefs, bad cref syntax.</summary>
    private static readonly string[] DocDiagnostics = ["CS1570", "CS1571", "CS1572", "CS1573", "CS1574", "CS1580", "CS1581", "CS1584", "CS1587"];

    /// <summary>What shows when a tag or entity is escaped one time too many.</summary>
    private static readonly string[] EscapedMarkup = ["&lt;see", "&lt;b&gt;", "&lt;/b&gt;", "&lt;br", "&lt;c&gt;", "&lt;para", "&lt;list", "&amp;lt;", "&amp;gt;", "&amp;amp;", "&amp;quot;"];

    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string> { "ksef-sandbox.openapi.json" };
        foreach (var file in RepoPaths.OfficialSpecs) data.Add(Path.GetFileName(file));
        return data;
    }

    private static string PathOf(string fileName)
    {
        if (fileName == "ksef-sandbox.openapi.json") return RepoPaths.SandboxSpec;
        Assert.SkipWhen(RepoPaths.SharedSpecDirectory is null, RepoPaths.SharedMissing);
        return Path.Combine(RepoPaths.SharedSpecDirectory!, "openapi", fileName);
    }

    private static (Compilation Output, IReadOnlyList<(string Hint, string Text)> Sources) Generate(string fileName, bool documentation = false)
    {
        var path = PathOf(fileName);
        var (result, output) = documentation
            ? GeneratorHarness.Run(GeneratorHarness.DocumentationParseOptions, path, File.ReadAllText(path))
            : GeneratorHarness.Run(path, File.ReadAllText(path));
        Assert.Null(result.Results[0].Exception);
        return (output, result.Results[0].GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).ToList());
    }

    /// <summary>The doc comment lines of a generated file, without their "///".</summary>
    private static IEnumerable<string> DocLines(string source) =>
        source.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("///", StringComparison.Ordinal)).Select(l => l.Substring(3));

    [Theory]
    [MemberData(nameof(Specs))]
    public void GeneratedDocsAreWellFormedAndEveryCrefResolves(string fileName)
    {
        var (output, _) = Generate(fileName, documentation: true);
        var problems = output.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => DocDiagnostics.Contains(d.Id) || d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError)
            .ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} problems, first 20:\n" + string.Join("\n", problems.Take(20)));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void NoGeneratedDocCommentContainsAnEscapedTag(string fileName)
    {
        var (_, sources) = Generate(fileName);
        var found = sources
            .SelectMany(s => DocLines(s.Text).Select(line => (s.Hint, Line: line)))
            .Where(x => EscapedMarkup.Any(bad => x.Line.Contains(bad, StringComparison.Ordinal)))
            .Take(10)
            .ToList();
        Assert.True(found.Count == 0, "escaped markup in doc comments:\n" + string.Join("\n", found.Select(f => f.Hint + ": " + f.Line)));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void OurOwnCrefsStayElements(string fileName)
    {
        var (_, sources) = Generate(fileName);
        var enumFile = sources.First(s => s.Hint.Contains("/Enums/", StringComparison.Ordinal));
        Assert.Contains("/// Reads and writes <see cref=\"global::", enumFile.Text);
        var statusFile = sources.First(s => s.Hint.Contains("/StatusCodes/", StringComparison.Ordinal));
        Assert.Contains("see <see cref=\"IsKnown\"/>.</para>", statusFile.Text);
    }

    [Fact]
    public void SandboxInvoiceStatusTableRendersAsAnXmlDocTable()
    {
        var (_, sources) = Generate("ksef-sandbox.openapi.json");
        var model = sources.Single(s => s.Hint.EndsWith("/Models/SessionInvoiceStatusResponse.g.cs", StringComparison.Ordinal)).Text;
        Assert.Contains("/// <list type=\"table\">", model);
        Assert.Contains("/// <listheader><term>Code</term><description>Description — Details — Extensions</description></listheader>", model);
        Assert.Contains("/// <item><term>440</term><description>Duplicate invoice — Extensions: 'originalSessionReferenceNumber', 'originalKsefNumber'</description></item>", model);
        Assert.DoesNotContain("| 440 |", model);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void TableBearingDescriptionsProduceXmlDocTables(string fileName)
    {
        var (_, sources) = Generate(fileName);
        var docs = sources.SelectMany(s => DocLines(s.Text)).ToList();
        // A Markdown table row left as text would start with "|" in a doc line.
        Assert.DoesNotContain(docs, line => line.TrimStart().StartsWith("|", StringComparison.Ordinal));
        Assert.Contains(docs, line => line.Contains("<list type=\"table\">", StringComparison.Ordinal));
        // The status tables ("| Code | Description | Details |"): every code a row of an XML doc table.
        Assert.Contains(docs, line => line.Contains("<listheader><term>Code</term><description>Description — Details", StringComparison.Ordinal));
        Assert.Contains(docs, line => line.Contains("<item><term>200</term><description>", StringComparison.Ordinal));
    }
}
