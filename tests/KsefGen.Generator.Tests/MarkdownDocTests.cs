using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using KsefGen.Generator.Emitting;

namespace KsefGen.Generator.Tests;

/// <summary>The spec's Markdown becomes XML doc structure, always well-formed, escaped exactly once.</summary>
public sealed class MarkdownDocTests
{
    /// <summary>Converts and checks that the result parses as the content of one element.</summary>
    private static string Xml(string markdown)
    {
        var xml = MarkdownDoc.ToXml(markdown);
        AssertWellFormed(xml, markdown);
        return xml;
    }

    internal static void AssertWellFormed(string xml, string source)
    {
        try
        {
            XDocument.Parse("<doc>" + xml + "</doc>");
        }
        catch (System.Xml.XmlException e)
        {
            Assert.Fail($"Malformed XML ({e.Message}) from:\n{source}\n---\n{xml}");
        }
    }

    // ---- text and escaping

    [Fact]
    public void PlainTextComesOutUnchanged() => Assert.Equal("Status faktury.", Xml("Status faktury."));

    [Fact]
    public void LessThanAndAmpersandInTextAreEscapedOnce() => Assert.Equal("a &lt; b &amp; c &gt; d", Xml("a < b & c > d"));

    [Fact]
    public void ExistingXmlEntitiesAreNotEscapedAgain()
    {
        var xml = Xml("&lt;b&gt; &amp; &quot;x&quot; &#60;y&#x3E;");
        Assert.Equal("&lt;b&gt; &amp; \"x\" &lt;y&gt;", xml);
        Assert.DoesNotContain("&amp;lt;", xml);
        Assert.DoesNotContain("&amp;amp;", xml);
    }

    [Fact]
    public void HtmlNamedEntitiesBecomeTheirCharacters() => Assert.Equal("a\u00A0b – c — d…", Xml("a&nbsp;b &ndash; c &mdash; d&hellip;"));

    [Fact]
    public void UnknownOrInvalidEntitiesAreEscapedAsText() => Assert.Equal("&amp;foo; &amp;#0; &amp;#xFFFF; AT&amp;T", Xml("&foo; &#0; &#xFFFF; AT&T"));

    [Fact]
    public void CharactersXmlForbidsAreDropped() => Assert.Equal("ab c", Xml("a\u0001b \uD800c"));

    [Fact]
    public void BackslashEscapesGiveTheLiteralCharacter() => Assert.Equal("*not em* [x]", Xml(@"\*not em\* \[x\]"));

    // ---- HTML-ish fragments

    [Fact]
    public void HtmlBoldAndItalicTagsBecomeXmlDocElements() =>
        Assert.Equal("<b>isTruncated = true</b>, <b>x</b>, <i>y</i>, <i>z</i>, <c>a &lt; b</c>",
            Xml("<b>isTruncated = true</b>, <strong>x</strong>, <i>y</i>, <em>z</em>, <code>a < b</code>"));

    [Fact]
    public void HtmlBreakInProseStartsANewParagraph() =>
        Assert.Equal("<para><b>Wersja API:</b> 2.6.0</para>\n<para><b>Historia zmian:</b> x</para>", Xml("**Wersja API:** 2.6.0<br>\n**Historia zmian:** x<br/>"));

    [Fact]
    public void HtmlBreakInsideATableCellIsALineBreak() => Assert.Contains("<description>a<br/>b</description>", Xml("| k | v |\n|---|---|\n| x | a<br>b |"));

    [Fact]
    public void UnknownTagsRenderAsTheTextTheyAre() =>
        Assert.Equal("&lt;AuthTokenRequest&gt;&lt;Nip&gt;1&lt;/Nip&gt;&lt;/AuthTokenRequest&gt;", Xml("<AuthTokenRequest><Nip>1</Nip></AuthTokenRequest>"));

    [Fact]
    public void StrayAndUnclosedFormattingTagsAreDroppedNotShown() => Assert.Equal("a b c", Xml("a</b> <b>b</i> c"));

    [Fact]
    public void AnUnclosedCodeTagStaysText() => Assert.Equal("(?&lt;code&gt;x)", Xml("(?<code>x)"));

    // ---- inline Markdown

    [Fact]
    public void BoldItalicAndCodeSpansMapToBIAndC() =>
        Assert.Equal("<b>bold</b>, <i>em</i>, <i>em2</i>, <c>X-Error-Format: a&lt;b</c>", Xml("**bold**, *em*, _em2_, `X-Error-Format: a<b`"));

    [Fact]
    public void TripleStarIsBoldAndItalic() => Assert.Equal("<b><i>both</i></b>", Xml("***both***"));

    [Fact]
    public void TripleBacktickSpanIsInlineCode() => Assert.Equal("w formacie <c>token|timestamp</c>.", Xml("w formacie ```token|timestamp```."));

    [Fact]
    public void MarkdownInsideCodeSpansIsNotInterpreted() => Assert.Equal(@"<c>\[(?&lt;code&gt;[^\]]+)\] **x**</c>", Xml(@"`\[(?<code>[^\]]+)\] **x**`"));

    [Fact]
    public void UnderscoresInsideWordsAreNotEmphasis() => Assert.Equal("FA_RR and snake_case_name and (_metadata.json)", Xml("FA_RR and snake_case_name and (_metadata.json)"));

    [Fact]
    public void StarsWithSpacesAroundAreNotEmphasis() => Assert.Equal("2 * 3 * 4", Xml("2 * 3 * 4"));

    [Fact]
    public void BoldSpansALineBreak() => Assert.Equal("<b>a\nb</b>", Xml("**a\nb**"));

    [Fact]
    public void LinksBecomeSeeHref() =>
        Assert.Equal("<see href=\"https://github.com/CIRFMF/ksef-docs/blob/main/x.md#21-a\">Token <b>KSeF</b></see>",
            Xml("[Token **KSeF**](https://github.com/CIRFMF/ksef-docs/blob/main/x.md#21-a)"));

    [Fact]
    public void LinkUrlsKeepBalancedParenthesesAndAreAttributeEscaped() =>
        Assert.Equal("<see href=\"https://x/schemat_FA(2)_v1.xsd?a=1&amp;b=&quot;2&quot;\">FA (2)</see>", Xml("[FA (2)](https://x/schemat_FA(2)_v1.xsd?a=1&b=\"2\")"));

    [Fact]
    public void AutolinksBecomeSeeHrefWithTheUrlAsText() => Assert.Equal("see <see href=\"https://ksef.mf.gov.pl\">https://ksef.mf.gov.pl</see>", Xml("see <https://ksef.mf.gov.pl>"));

    [Fact]
    public void ImagesBecomeTheirAltText() => Assert.Equal("diagram", Xml("![diagram](img.png)"));

    // ---- blocks

    [Fact]
    public void ASingleParagraphIsBareAndSeveralBecomeParas()
    {
        Assert.Equal("one\ntwo", Xml("one\ntwo"));
        Assert.Equal("<para>one</para>\n<para>two</para>", Xml("one\n\n   \ntwo"));
    }

    [Fact]
    public void ParagraphsAreForcedWhenAskedFor() => Assert.Equal("<para>one</para>", MarkdownDoc.ToXml("one", paragraphs: true));

    [Fact]
    public void HeadingsBecomeBoldParagraphs() => Assert.Equal("<para><b>Uwagi</b></para>\n<para>tekst</para>", Xml("## Uwagi ##\ntekst"));

    [Fact]
    public void BlockQuoteMarkersAreRemoved() =>
        Assert.Equal("<para><b>Uwaga!</b></para>\n<para>Token KSeF pełni rolę <b>poufnego sekretu</b>.</para>", Xml("> **Uwaga!** <br>\n> Token KSeF pełni rolę **poufnego sekretu**."));

    [Fact]
    public void FencedCodeBecomesCodeWithItsTextEscapedAndNotInterpreted() =>
        Assert.Equal("<para>Przykład:</para>\n<code>&lt;Challenge&gt;**x**&lt;/Challenge&gt;\n  a &amp; b</code>", Xml("Przykład:\n```xml\n<Challenge>**x**</Challenge>\n  a & b\n```"));

    [Fact]
    public void AnUnclosedFenceRunsToTheEnd() => Assert.Equal("<code>a &lt; b</code>", Xml("```\na < b"));

    [Fact]
    public void BulletListsBecomeBulletLists() =>
        Assert.Equal("<para>Dla każdej części należy:</para>\n<list type=\"bullet\">\n<item><description>metoda z <b>method</b>,</description></item>\n<item><description>adres z <b>url</b>.</description></item>\n</list>",
            Xml("Dla każdej części należy:\n* metoda z <b>method</b>,\n * adres z <b>url</b>."));

    [Fact]
    public void NumberedListsBecomeNumberLists() =>
        Assert.Equal("<list type=\"number\">\n<item><description>first</description></item>\n<item><description>second\ncontinued</description></item>\n</list>",
            Xml("1. first\n2. second\ncontinued"));

    [Fact]
    public void IndentedItemsNestAListInsideAnItem() =>
        Assert.Equal("<list type=\"bullet\">\n<item><description><para>a</para>\n<list type=\"number\">\n<item><description>a1</description></item>\n</list></description></item>\n<item><description>b</description></item>\n</list>",
            Xml("- a\n  1. a1\n- b"));

    [Fact]
    public void CodeInsideAListItemStaysCode() =>
        Assert.Equal("<list type=\"bullet\">\n<item><description><c>x-ms-meta-hash</c> – skrót</description></item>\n<item><description><para>przykład:</para>\n<code>a &lt; b</code></description></item>\n</list>",
            Xml("- `x-ms-meta-hash` – skrót\n- przykład:\n  ```\n  a < b\n  ```"));

    [Fact]
    public void ANumberOtherThanOneDoesNotInterruptAParagraph() => Assert.Equal("Limit: 10 000\n2025. rok", Xml("Limit: 10 000\n2025. rok"));

    [Fact]
    public void ThematicBreaksSeparateBlocks() => Assert.Equal("<para>a</para>\n<para>b</para>", Xml("a\n\n---\n\nb"));

    // ---- tables

    [Fact]
    public void TwoColumnTablesBecomeTermAndDescription() =>
        Assert.Equal("<para>Kolejność sortowania wyników.</para>\n<list type=\"table\">\n<listheader><term>Wartość</term><description>Opis</description></listheader>\n<item><term>Asc</term><description>Sortowanie rosnąco.</description></item>\n<item><term>Desc</term><description>Sortowanie malejąco.</description></item>\n</list>",
            Xml("Kolejność sortowania wyników.\n| Wartość | Opis |\n| --- | --- |\n| Asc | Sortowanie rosnąco. |\n| Desc | Sortowanie malejąco. |\n"));

    [Fact]
    public void FurtherColumnsJoinTheDescriptionLabelledAndPlaceholdersAreSkipped()
    {
        var xml = Xml("| Code | Description | Details | Extensions |\n| --- | --- | --- | ---|\n| 200 | Sukces | - | - |\n| 440 | Duplikat faktury | - | 'originalKsefNumber'|\n| 550 | Anulowano | Spróbuj ponownie |- |");
        Assert.Contains("<listheader><term>Code</term><description>Description — Details — Extensions</description></listheader>", xml);
        Assert.Contains("<item><term>200</term><description>Sukces</description></item>", xml);
        Assert.Contains("<item><term>440</term><description>Duplikat faktury — Extensions: 'originalKsefNumber'</description></item>", xml);
        Assert.Contains("<item><term>550</term><description>Anulowano — Details: Spróbuj ponownie</description></item>", xml);
    }

    [Fact]
    public void MarkdownInsideTableCellsIsConverted() =>
        Assert.Contains("<item><term><b>Limity liczby żądań</b></term><description>10 — req / min: 30 — grupa: <c>other</c></description></item>",
            Xml("| | req / s | req / min | grupa\n| --- | --- | --- | --- |\n| **Limity liczby żądań** | 10 | 30 | `other`\n"));

    [Fact]
    public void LinksInsideTableCellsWork() =>
        Assert.Contains("<term><see href=\"https://x/schemat_FA(3)_v1-0E.xsd\">FA (3)</see></term>", Xml("| SystemCode | SchemaVersion |\n| --- | --- |\n| [FA (3)](https://x/schemat_FA(3)_v1-0E.xsd) | 1-0E |"));

    [Fact]
    public void EscapedPipesStayInsideTheirCell() => Assert.Contains("<item><term>a | b</term><description>c</description></item>", Xml("| x | y |\n|-|-|\n| a \\| b | c |"));

    [Fact]
    public void RaggedRowsGiveEmptyOrExtraCellsNotBrokenXml()
    {
        var xml = Xml("| Code | Security |\n|------| ------------ |\n| ip-not-allowed | clientIp: string |\n| insufficient-resource-access  ||\n| a |\n| b | c | d | e |");
        Assert.Contains("<item><term>insufficient-resource-access</term><description></description></item>", xml);
        Assert.Contains("<item><term>a</term><description></description></item>", xml);
        Assert.Contains("<item><term>b</term><description>c — d — e</description></item>", xml);
    }

    [Fact]
    public void ATableWithoutSeparatorRowHasNoHeader()
    {
        var xml = Xml("| a | b |\n| c | d |");
        Assert.DoesNotContain("<listheader>", xml);
        Assert.Contains("<item><term>a</term><description>b</description></item>", xml);
    }

    [Fact]
    public void PipesInAParagraphDoNotMakeATable() => Assert.Equal("permanentStorageDate | invoicingDate (Asc | Desc)", Xml("permanentStorageDate | invoicingDate (Asc | Desc)"));

    // ---- malformed Markdown never gives malformed XML

    [Theory]
    [InlineData("**unclosed bold")]
    [InlineData("*unclosed em and **bold")]
    [InlineData("`unclosed code")]
    [InlineData("[unclosed link](http://x")]
    [InlineData("[text]( no url )")]
    [InlineData("<b>**crossed</b>**")]
    [InlineData("**<b>crossed**</b>")]
    [InlineData("<b>a <b>nested</b> b</b>")]
    [InlineData("<b>open in one paragraph\n\nclosed in another</b>")]
    [InlineData("**bold in one paragraph\n\nclosed in another**")]
    [InlineData("| a | b\n|---|\n| **x | y** |\n| `z |")]
    [InlineData("- **item\n- item2**")]
    [InlineData("<see cref=\"X\"/> & <!-- comment --> <![CDATA[x]]> <?pi?>")]
    [InlineData("]]> --> \"' &#; &#x; &; &#99999999;")]
    [InlineData("<b\n>x</b>")]
    [InlineData("< b>x</ b>")]
    public void MalformedMarkdownStillGivesWellFormedXml(string markdown)
    {
        Xml(markdown);
        AssertWellFormed(MarkdownDoc.InlineToXml(markdown), markdown);
    }

    [Fact]
    public void RandomMixesOfMarkupAlwaysGiveWellFormedXml()
    {
        string[] pieces = ["**", "*", "_", "`", "```", "[", "]", "(", ")", "](http://x)", "<b>", "</b>", "<i>", "</i>", "<br>", "<code>", "</code>",
            "&lt;", "&amp;", "&", "<", ">", "|", " | ", "\n", "\n\n", "\n- ", "\n1. ", "\n  - ", "\n# ", "\n> ", "\n| a | b |", "\n|---|---|", "\\", "text", " ", "ż", "\"", "'"];
        var random = new Random(20260519);
        for (var n = 0; n < 3000; n++)
        {
            var sb = new StringBuilder();
            var count = random.Next(1, 25);
            for (var k = 0; k < count; k++) sb.Append(pieces[random.Next(pieces.Length)]);
            var markdown = sb.ToString();
            Xml(markdown);
            AssertWellFormed(MarkdownDoc.InlineToXml(markdown), markdown);
        }
    }

    [Fact]
    public void DeeplyNestedInputDoesNotOverflowTheStack()
    {
        Xml(string.Concat(Enumerable.Repeat("- ", 5000)) + "x");
        Xml(string.Concat(Enumerable.Repeat("**a ", 5000)) + string.Concat(Enumerable.Repeat(" b**", 5000)));
        Xml(string.Concat(Enumerable.Repeat("<b>", 5000)) + "x" + string.Concat(Enumerable.Repeat("</b>", 5000)));
    }

    [Fact]
    public void EveryOfficialDescriptionConvertsToWellFormedXmlWithoutDoubleEscapes()
    {
        Assert.SkipWhen(RepoPaths.SharedSpecDirectory is null, RepoPaths.SharedMissing);
        var texts = RepoPaths.OfficialSpecs.Append(RepoPaths.SandboxSpec)
            .SelectMany(path => Texts(JsonNode.Parse(File.ReadAllText(path))))
            .Distinct()
            .ToList();
        Assert.True(texts.Count > 500, $"only {texts.Count} texts found");
        foreach (var text in texts)
        {
            var xml = Xml(text);
            foreach (var bad in new[] { "&amp;lt;", "&amp;amp;", "&lt;b&gt;", "&lt;br", "&lt;i&gt;" })
            {
                Assert.False(xml.Contains(bad, StringComparison.Ordinal), $"'{bad}' in the XML of:\n{text}\n---\n{xml}");
            }
        }
    }

    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Key is "description" or "summary" && p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [s] : Texts(p.Value)),
        JsonArray array => array.SelectMany(Texts),
        _ => [],
    };
}
