using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace KsefGen.Generator.Emitting;

/// <summary>
/// Turns the spec's Markdown (with its HTML-ish fragments) into the content of an XML doc element.
/// </summary>
/// <remarks>
/// Handles the subset the KSeF documents use: paragraphs, headings, bullet and numbered lists (nested by
/// indentation), pipe tables, fenced code, <c>**bold**</c>, <c>*em*</c>/<c>_em_</c>, <c>`code`</c>, links,
/// <c>&lt;b&gt;</c>/<c>&lt;i&gt;</c>/<c>&lt;code&gt;</c>/<c>&lt;br&gt;</c> and entities. The output is always
/// well-formed: every element it opens it closes within the same recursive call, and every other <c>&lt;</c>
/// and <c>&amp;</c> is escaped exactly once. One pass over the text (unmatched delimiters rescan to the end of
/// their paragraph), no regular expressions: the official spec's ~700 descriptions convert in a few milliseconds.
/// </remarks>
internal static class MarkdownDoc
{
    private const int MaxDepth = 16;

    /// <summary>
    /// Markdown → XML doc content; lines separated by '\n'; empty for null or blank text. A single paragraph
    /// comes out bare unless <paramref name="paragraphs"/> asks for &lt;para&gt; (to sit among other paragraphs).
    /// </summary>
    public static string ToXml(string? markdown, bool paragraphs = false)
    {
        if (markdown is null || IsBlank(markdown)) return "";
        var lines = Prepare(Sanitize(markdown));
        var sb = new StringBuilder(markdown.Length + 32);
        RenderBlocks(lines, sb, 0, bare: !paragraphs);
        return sb.ToString().Trim();
    }

    /// <summary>Our own plain text (which may quote spec names) as one &lt;para&gt;.</summary>
    public static string Para(string text) => "<para>" + Escape(text) + "</para>";

    /// <summary>One line of Markdown (a table cell, a status description) → inline XML, no block structure.</summary>
    public static string InlineToXml(string? markdown)
    {
        if (markdown is null || IsBlank(markdown)) return "";
        var text = Sanitize(markdown).Replace("\r\n", "\n").Replace('\r', '\n').Trim();
        var sb = new StringBuilder(text.Length + 16);
        Inline(text, 0, text.Length, sb, 0);
        return sb.ToString();
    }

    /// <summary>Plain text → XML text: <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> escaped, characters XML forbids dropped.</summary>
    public static string Escape(string text)
    {
        if (!NeedsEscape(text)) return text;
        var clean = Sanitize(text);
        var sb = new StringBuilder(clean.Length + 8);
        foreach (var c in clean) AppendEscaped(sb, c);
        return sb.ToString();
    }

    /// <summary>Whether <see cref="Escape"/> would change the text: it has markup, a character XML forbids or a surrogate.</summary>
    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (c is '<' or '>' or '&' || c < 0x20 && c != '\t' && c != '\n' || c is '\uFFFE' or '\uFFFF' || char.IsSurrogate(c)) return true;
        }
        return false;
    }

    /// <summary>Drops what XML 1.0 cannot hold at all: lone surrogates (a pair stays).</summary>
    private static string Sanitize(string text)
    {
        var clean = true;
        for (var i = 0; i < text.Length && clean; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) clean = false;
        }
        if (clean) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(text[i]).Append(text[i + 1]);
                i++;
            }
            else if (!char.IsSurrogate(text[i]))
            {
                sb.Append(text[i]);
            }
        }
        return sb.ToString();
    }

    /// <summary>The length of a &lt;br&gt;, &lt;br/&gt; or &lt;br /&gt; at line[i], or 0.</summary>
    private static int BreakTagLength(string line, int i)
    {
        if (i + 3 >= line.Length || (line[i + 1] != 'b' && line[i + 1] != 'B') || (line[i + 2] != 'r' && line[i + 2] != 'R')) return 0;
        var k = i + 3;
        while (k < line.Length && line[k] == ' ') k++;
        if (k < line.Length && line[k] == '/') k++;
        return k < line.Length && line[k] == '>' ? k + 1 - i : 0;
    }

    // ---------------------------------------------------------------- blocks

    /// <summary>Newlines normalized, tabs expanded, block-quote markers removed, <c>&lt;br&gt;</c> outside tables and lists split into paragraphs.</summary>
    private static List<string> Prepare(string markdown)
    {
        var raw = markdown.Replace("\r\n", "\n").Replace('\r', '\n').Replace("\t", "    ").Split('\n');
        var lines = new List<string>(raw.Length + 4);
        var inFence = false;
        foreach (var original in raw)
        {
            var line = original;
            if (FenceMarker(line) is not null) inFence = !inFence;
            if (inFence || FenceMarker(line) is not null)
            {
                lines.Add(line);
                continue;
            }
            line = StripQuote(line);
            if (StartsWithPipe(line) || ListMarker(line, out _, out _, out _, out _))
            {
                lines.Add(line);
                continue;
            }
            var start = 0;
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == '<' && BreakTagLength(line, i) is var length && length > 0)
                {
                    lines.Add(line.Substring(start, i - start));
                    lines.Add("");
                    start = i + length;
                    i = start - 1;
                }
            }
            lines.Add(start == 0 ? line : line.Substring(start));
        }
        return lines;
    }

    private static string StripQuote(string line)
    {
        while (true)
        {
            var i = 0;
            while (i < line.Length && i < 4 && line[i] == ' ') i++;
            if (i >= 4 || i >= line.Length || line[i] != '>') return line;
            i++;
            if (i < line.Length && line[i] == ' ') i++;
            line = line.Substring(i);
        }
    }

    /// <summary>Renders a run of lines as blocks; a single paragraph comes out bare, several as &lt;para&gt;s.</summary>
    private static void RenderBlocks(List<string> lines, StringBuilder sb, int depth, bool bare = true)
    {
        // Blocks are written straight into sb, a paragraph as <para>...</para>; a lone paragraph loses its <para> at the end.
        var start = sb.Length;
        var blocks = 0;
        var firstIsParagraph = false;
        var i = 0;
        while (i < lines.Count)
        {
            var line = lines[i];
            if (IsBlank(line) || IsThematicBreak(line))
            {
                i++;
                continue;
            }
            if (blocks++ > 0) sb.Append('\n');
            if (FenceMarker(line) is { } fence)
            {
                i = Fence(lines, i, fence, sb);
            }
            else if (Heading(line) is { } heading)
            {
                sb.Append("<para><b>");
                Inline(heading, 0, heading.Length, sb, depth);
                sb.Append("</b></para>");
                i++;
            }
            else if (IsTableStart(lines, i))
            {
                i = Table(lines, i, sb, depth);
            }
            else if (depth < MaxDepth && ListMarker(line, out _, out _, out _, out _))
            {
                i = List(lines, i, sb, depth);
            }
            else
            {
                firstIsParagraph |= blocks == 1;
                var first = i;
                i++;
                while (i < lines.Count && !IsBlank(lines[i]) && !InterruptsParagraph(lines, i, depth)) i++;
                sb.Append(ParagraphOpen);
                if (i == first + 1)
                {
                    // One line: rendered where it is, without the trimmed copy.
                    var textStart = 0;
                    var textEnd = line.Length;
                    TextRange.Trim(line, ref textStart, ref textEnd);
                    Inline(line, textStart, textEnd, sb, depth);
                }
                else
                {
                    var text = new StringBuilder(line.Trim());
                    for (var k = first + 1; k < i; k++) text.Append('\n').Append(lines[k].Trim());
                    var paragraph = text.ToString();
                    Inline(paragraph, 0, paragraph.Length, sb, depth);
                }
                sb.Append(ParagraphClose);
            }
        }

        if (bare && blocks == 1 && firstIsParagraph)
        {
            sb.Remove(start, ParagraphOpen.Length);
            sb.Length -= ParagraphClose.Length;
        }
    }

    private const string ParagraphOpen = "<para>";
    private const string ParagraphClose = "</para>";

    private static bool InterruptsParagraph(List<string> lines, int i, int depth)
    {
        var line = lines[i];
        if (FenceMarker(line) is not null || Heading(line) is not null || IsThematicBreak(line)) return true;
        if (IsTableStart(lines, i)) return true;
        // As in CommonMark, a numbered list interrupts a paragraph only when it starts at 1.
        return depth < MaxDepth && ListMarker(line, out _, out var ordered, out var number, out _) && (!ordered || number == 1);
    }

    private static string? FenceMarker(string line)
    {
        var i = 0;
        while (i < line.Length && i < 4 && line[i] == ' ') i++;
        if (i >= 4 || i + 3 > line.Length) return null;
        var c = line[i];
        if (c != '`' && c != '~') return null;
        var n = 0;
        while (i + n < line.Length && line[i + n] == c) n++;
        if (n < 3) return null;
        // An info string may not contain a backtick (```a``` on one line is inline code, not a fence).
        if (c == '`' && line.IndexOf('`', i + n) >= 0) return null;
        return new string(c, n);
    }

    private static int Fence(List<string> lines, int i, string fence, StringBuilder sb)
    {
        var indent = lines[i].Length - lines[i].TrimStart().Length;
        i++;
        var code = new List<string>();
        while (i < lines.Count)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.Length >= fence.Length && trimmed.StartsWith(fence, StringComparison.Ordinal) && trimmed.TrimEnd(fence[0]).Length == 0)
            {
                i++;
                break;
            }
            var strip = 0;
            while (strip < indent && strip < line.Length && line[strip] == ' ') strip++;
            code.Add(line.Substring(strip).TrimEnd());
            i++;
        }
        while (code.Count > 0 && code[code.Count - 1].Length == 0) code.RemoveAt(code.Count - 1);
        sb.Append("<code>");
        for (var k = 0; k < code.Count; k++)
        {
            if (k > 0) sb.Append('\n');
            foreach (var c in code[k]) AppendEscaped(sb, c);
        }
        sb.Append("</code>");
        return i;
    }

    private static string? Heading(string line)
    {
        var i = 0;
        while (i < line.Length && i < 4 && line[i] == ' ') i++;
        if (i >= 4) return null;
        var n = 0;
        while (i + n < line.Length && line[i + n] == '#') n++;
        if (n == 0 || n > 6) return null;
        if (i + n < line.Length && line[i + n] != ' ') return null;
        var text = line.Substring(i + n).Trim();
        var end = text.Length;
        while (end > 0 && text[end - 1] == '#') end--;
        if (end < text.Length && (end == 0 || text[end - 1] == ' ')) text = text.Substring(0, end).TrimEnd();
        return text;
    }

    private static bool IsThematicBreak(string line)
    {
        var t = line.Trim();
        if (t.Length < 3) return false;
        var c = t[0];
        if (c != '-' && c != '*' && c != '_') return false;
        var count = 0;
        foreach (var ch in t)
        {
            if (ch == c) count++;
            else if (ch != ' ') return false;
        }
        return count >= 3;
    }

    /// <summary>"- x", "* x", "+ x", "1. x", "1) x"; indent and the column where the item's text starts.</summary>
    private static bool ListMarker(string line, out int indent, out bool ordered, out int number, out int contentColumn)
    {
        indent = 0;
        ordered = false;
        number = 0;
        contentColumn = 0;
        var i = 0;
        while (i < line.Length && line[i] == ' ') i++;
        indent = i;
        if (i >= line.Length) return false;
        int markerEnd;
        var c = line[i];
        if (c == '-' || c == '*' || c == '+')
        {
            markerEnd = i + 1;
        }
        else if (c >= '0' && c <= '9')
        {
            var j = i;
            while (j < line.Length && j - i < 9 && line[j] >= '0' && line[j] <= '9') j++;
            if (j >= line.Length || (line[j] != '.' && line[j] != ')')) return false;
            number = int.Parse(line.Substring(i, j - i), NumberStyles.None, CultureInfo.InvariantCulture);
            ordered = true;
            markerEnd = j + 1;
        }
        else
        {
            return false;
        }
        if (markerEnd < line.Length && line[markerEnd] != ' ') return false;
        if (markerEnd >= line.Length) return false; // an empty item is not worth a list
        if (IsBlank(line, markerEnd)) return false;
        var spaces = 0;
        while (markerEnd + spaces < line.Length && line[markerEnd + spaces] == ' ') spaces++;
        contentColumn = markerEnd + (spaces > 4 ? 1 : spaces);
        return true;
    }

    private static int List(List<string> lines, int i, StringBuilder sb, int depth)
    {
        ListMarker(lines[i], out _, out var ordered, out _, out _);
        var items = new List<List<string>>();
        List<string>? current = null;
        var contentColumn = 0;
        var previousBlank = false;
        while (i < lines.Count)
        {
            var line = lines[i];
            if (IsBlank(line))
            {
                // A blank line continues the list only when more of it follows.
                var next = i + 1;
                while (next < lines.Count && IsBlank(lines[next])) next++;
                if (next >= lines.Count) break;
                var follows = lines[next];
                var indented = Indent(follows) >= contentColumn;
                var sibling = ListMarker(follows, out var sIndent, out var sOrdered, out _, out _) && sIndent < contentColumn && sOrdered == ordered;
                if (!indented && !sibling) break;
                current!.Add("");
                previousBlank = true;
                i++;
                continue;
            }
            if (ListMarker(line, out var indent, out var itemOrdered, out _, out var column) && (current is null || indent < contentColumn))
            {
                if (itemOrdered != ordered) break;
                current = new List<string> { line.Substring(column) };
                items.Add(current);
                contentColumn = column;
                previousBlank = false;
                i++;
                continue;
            }
            if (Indent(line) >= contentColumn)
            {
                current!.Add(line.Substring(contentColumn));
            }
            else if (!previousBlank && !InterruptsParagraph(lines, i, depth) && !StartsWithPipe(line))
            {
                current!.Add(line.Trim()); // lazy continuation of the item's paragraph
            }
            else
            {
                break;
            }
            previousBlank = false;
            i++;
        }

        sb.Append("<list type=\"").Append(ordered ? "number" : "bullet").Append("\">");
        foreach (var item in items)
        {
            sb.Append("\n<item><description>");
            RenderBlocks(item, sb, depth + 1);
            sb.Append("</description></item>");
        }
        sb.Append("\n</list>");
        return i;
    }

    private static int Indent(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] == ' ') i++;
        return i;
    }

    private static bool IsTableStart(List<string> lines, int i)
    {
        var line = lines[i];
        if (StartsWithPipe(line)) return true;
        return line.IndexOf('|') >= 0 && i + 1 < lines.Count && IsSeparatorRow(lines[i + 1]);
    }

    private static bool IsSeparatorRow(string line)
    {
        var t = line.Trim();
        if (t.Length == 0) return false;
        var dash = false;
        var pipe = false;
        foreach (var c in t)
        {
            if (c == '-') dash = true;
            else if (c == '|') pipe = true;
            else if (c != ':' && c != ' ') return false;
        }
        return dash && pipe;
    }

    private static int Table(List<string> lines, int i, StringBuilder sb, int depth)
    {
        var leadingPipe = StartsWithPipe(lines[i]);
        var rows = new List<List<string>>();
        var hasHeader = i + 1 < lines.Count && IsSeparatorRow(lines[i + 1]);
        while (i < lines.Count)
        {
            var line = lines[i];
            if (IsBlank(line)) break;
            if (rows.Count > 0 && (leadingPipe ? !StartsWithPipe(line) : line.IndexOf('|') < 0)) break;
            if (!IsSeparatorRow(line)) rows.Add(SplitRow(line));
            i++;
        }

        List<string>? header = null;
        if (hasHeader && rows.Count > 0)
        {
            header = rows[0];
            rows.RemoveAt(0);
        }
        var columns = header?.Count ?? 0;
        foreach (var row in rows) columns = Math.Max(columns, row.Count);

        sb.Append("<list type=\"table\">");
        if (header is not null && header.Exists(h => h.Length > 0))
        {
            sb.Append("\n<listheader>");
            var rest = new List<string>();
            for (var c = 1; c < header.Count; c++)
            {
                if (header[c].Length > 0) rest.Add(header[c]);
            }
            Cells(header.Count > 0 ? header[0] : "", rest, columns, sb, depth);
            sb.Append("</listheader>");
        }
        foreach (var row in rows)
        {
            sb.Append("\n<item>");
            var rest = new List<string>();
            for (var c = 1; c < row.Count; c++)
            {
                if (IsPlaceholder(row[c])) continue;
                // Past the second column a cell says which column it is: "Duplicate — Extensions: originalKsefNumber".
                var label = c >= 2 && header is not null && c < header.Count && header[c].Length > 0 ? header[c] + ": " : "";
                rest.Add(label + row[c]);
            }
            Cells(row.Count > 0 ? row[0] : "", rest, columns, sb, depth);
            sb.Append("</item>");
        }
        sb.Append("\n</list>");
        return i;
    }

    /// <summary>A row as term + description; a one-column table has only descriptions.</summary>
    private static void Cells(string first, List<string> rest, int columns, StringBuilder sb, int depth)
    {
        if (columns <= 1)
        {
            sb.Append("<description>");
            Inline(first, 0, first.Length, sb, depth);
            sb.Append("</description>");
            return;
        }
        sb.Append("<term>");
        Inline(first, 0, first.Length, sb, depth);
        sb.Append("</term><description>");
        for (var k = 0; k < rest.Count; k++)
        {
            if (k > 0) sb.Append(" — ");
            Inline(rest[k], 0, rest[k].Length, sb, depth);
        }
        sb.Append("</description>");
    }

    private static bool IsPlaceholder(string cell) => cell.Length == 0 || cell == "-" || cell == "–" || cell == "—";

    /// <summary>Splits "| a | b \| c |" into ["a", "b | c"]; a trailing pipe ends the row (the status-table reader's rule).</summary>
    private static List<string> SplitRow(string line) => Reading.StatusTableParser.SplitRow(line);

    // ---------------------------------------------------------------- inlines

    /// <summary>Renders s[start, end) as inline XML. Each element is opened and closed in the same call.</summary>
    private static void Inline(string s, int start, int end, StringBuilder sb, int depth)
    {
        // A closer that is not found from one point is not found from any later point of the same span:
        // remembering that keeps a text full of unmatched delimiters linear instead of quadratic.
        var noCloser = 0; // bits: 1 = "*", 2 = "**", 4 = "_", 8 = "__"
        var noBackticks = 0; // bit n-1: no run of exactly n backticks left (n up to 31)
        var i = start;
        while (i < end)
        {
            var c = s[i];
            switch (c)
            {
                case '\\' when i + 1 < end && IsAsciiPunctuation(s[i + 1]):
                    AppendEscaped(sb, s[i + 1]);
                    i += 2;
                    continue;
                case '`':
                {
                    var n = Run(s, i, end, '`');
                    var known = n <= 31 && (noBackticks & (1 << (n - 1))) != 0;
                    var close = known ? -1 : FindBacktickRun(s, i + n, end, n);
                    if (close < 0 && n <= 31) noBackticks |= 1 << (n - 1);
                    if (close >= 0)
                    {
                        sb.Append("<c>");
                        var code = s.Substring(i + n, close - i - n).Replace('\n', ' ');
                        if (code.Length > 2 && code[0] == ' ' && code[code.Length - 1] == ' ' && code.Trim().Length > 0) code = code.Substring(1, code.Length - 2);
                        foreach (var ch in code) AppendEscaped(sb, ch);
                        sb.Append("</c>");
                        i = close + n;
                    }
                    else
                    {
                        sb.Append('`', n);
                        i += n;
                    }
                    continue;
                }
                case '*':
                case '_':
                {
                    var n = Run(s, i, end, c);
                    if (depth < MaxDepth && CanOpen(s, i, n, start, end, c))
                    {
                        // Strong first (** or ***), then emphasis.
                        for (var use = Math.Min(n, 2); use >= 1; use--)
                        {
                            var bit = (c == '*' ? 1 : 4) << (use - 1);
                            if ((noCloser & bit) != 0) continue;
                            var close = FindCloser(s, i + use, end, c, use);
                            if (close < 0)
                            {
                                noCloser |= bit;
                                continue;
                            }
                            var tag = use == 2 ? "b" : "i";
                            sb.Append('<').Append(tag).Append('>');
                            Inline(s, i + use, close, sb, depth + 1);
                            sb.Append("</").Append(tag).Append('>');
                            i = close + use;
                            goto next;
                        }
                    }
                    sb.Append(c, n);
                    i += n;
                    continue;
                }
                case '!' when i + 1 < end && s[i + 1] == '[':
                    if (TryLink(s, i + 1, end, out var altEnd, out _, out var imageEnd))
                    {
                        Inline(s, i + 2, altEnd, sb, depth + 1);
                        i = imageEnd;
                        continue;
                    }
                    break;
                case '[':
                    if (depth < MaxDepth && TryLink(s, i, end, out var textEnd, out var url, out var linkEnd))
                    {
                        if (url.Length == 0)
                        {
                            Inline(s, i + 1, textEnd, sb, depth + 1);
                        }
                        else
                        {
                            sb.Append("<see href=\"").Append(Attribute(url)).Append("\">");
                            if (textEnd > i + 1) Inline(s, i + 1, textEnd, sb, depth + 1);
                            else sb.Append(Escape(url));
                            sb.Append("</see>");
                        }
                        i = linkEnd;
                        continue;
                    }
                    break;
                case '<':
                {
                    var consumed = Tag(s, i, end, sb, depth);
                    if (consumed > 0)
                    {
                        i += consumed;
                        continue;
                    }
                    break;
                }
                case '&':
                {
                    var consumed = Entity(s, i, end, sb);
                    if (consumed > 0)
                    {
                        i += consumed;
                        continue;
                    }
                    break;
                }
            }
            AppendEscaped(sb, c);
            i++;
        next:;
        }
    }

    private static int Run(string s, int i, int end, char c)
    {
        var n = 0;
        while (i + n < end && s[i + n] == c) n++;
        return n;
    }

    /// <summary>The start of the next run of exactly n backticks, or -1.</summary>
    private static int FindBacktickRun(string s, int from, int end, int n)
    {
        var j = from;
        while (j < end)
        {
            if (s[j] != '`')
            {
                j++;
                continue;
            }
            var m = Run(s, j, end, '`');
            if (m == n) return j;
            j += m;
        }
        return -1;
    }

    /// <summary>A delimiter run opens when followed by non-space; '_' also needs a non-alphanumeric before it (snake_case stays text).</summary>
    private static bool CanOpen(string s, int i, int n, int start, int end, char c)
    {
        if (i + n >= end || char.IsWhiteSpace(s[i + n])) return false;
        if (c == '_' && i > start && char.IsLetterOrDigit(s[i - 1])) return false;
        return true;
    }

    /// <summary>The start of the closing delimiter (the last <paramref name="use"/> characters of a run), or -1. Code spans are skipped.</summary>
    private static int FindCloser(string s, int from, int end, char c, int use)
    {
        var j = from;
        while (j < end)
        {
            var ch = s[j];
            if (ch == '\\')
            {
                j += 2;
                continue;
            }
            if (ch == '`')
            {
                var n = Run(s, j, end, '`');
                var close = FindBacktickRun(s, j + n, end, n);
                j = close >= 0 ? close + n : j + n;
                continue;
            }
            if (ch != c)
            {
                j++;
                continue;
            }
            var m = Run(s, j, end, c);
            var closeAt = j + m - use;
            var rightFlanking = j > from && !char.IsWhiteSpace(s[j - 1]);
            var afterOk = c != '_' || j + m >= end || !char.IsLetterOrDigit(s[j + m]);
            if (rightFlanking && afterOk && (m == use || m >= 3) && closeAt > from) return closeAt;
            j += m;
        }
        return -1;
    }

    /// <summary>[text](url "title"): the end of the text, the url and the end of the whole link.</summary>
    private static bool TryLink(string s, int open, int end, out int textEnd, out string url, out int linkEnd)
    {
        textEnd = -1;
        url = "";
        linkEnd = -1;
        var level = 0;
        var j = open + 1;
        for (; j < end; j++)
        {
            var c = s[j];
            if (c == '\\') { j++; continue; }
            if (c == '`')
            {
                var n = Run(s, j, end, '`');
                var close = FindBacktickRun(s, j + n, end, n);
                j = (close >= 0 ? close + n : j + n) - 1;
                continue;
            }
            if (c == '[') level++;
            else if (c == ']')
            {
                if (level == 0) break;
                level--;
            }
        }
        if (j >= end || j + 1 >= end || s[j + 1] != '(') return false;
        textEnd = j;
        var k = j + 2;
        while (k < end && s[k] == ' ') k++;
        var urlStart = k;
        int urlEnd;
        if (k < end && s[k] == '<')
        {
            var close = s.IndexOf('>', k + 1, end - k - 1);
            if (close < 0) return false;
            urlStart = k + 1;
            urlEnd = close;
            k = close + 1;
        }
        else
        {
            var parens = 0;
            while (k < end)
            {
                var c = s[k];
                if (c == ' ' || c == '\n') break;
                if (c == '(') parens++;
                else if (c == ')')
                {
                    if (parens == 0) break;
                    parens--;
                }
                k++;
            }
            urlEnd = k;
        }
        while (k < end && (s[k] == ' ' || s[k] == '\n')) k++;
        if (k < end && (s[k] == '"' || s[k] == '\''))
        {
            var close = s.IndexOf(s[k], k + 1, end - k - 1);
            if (close < 0) return false;
            k = close + 1;
            while (k < end && s[k] == ' ') k++;
        }
        if (k >= end || s[k] != ')') return false;
        url = s.Substring(urlStart, urlEnd - urlStart);
        linkEnd = k + 1;
        return true;
    }

    /// <summary>An HTML-ish tag at s[i]: renders it and returns how much it consumed, or 0 to escape the '&lt;'.</summary>
    private static int Tag(string s, int i, int end, StringBuilder sb, int depth)
    {
        // Autolink: <https://...>
        var close = s.IndexOf('>', i + 1, end - i - 1);
        if (close < 0) return 0;
        var inner = s.Substring(i + 1, close - i - 1);
        if ((inner.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || inner.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || inner.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            && inner.IndexOf(' ') < 0 && inner.IndexOf('<') < 0 && inner.IndexOf('\n') < 0)
        {
            sb.Append("<see href=\"").Append(Attribute(inner)).Append("\">").Append(Escape(inner)).Append("</see>");
            return close - i + 1;
        }

        var closing = inner.StartsWith("/", StringComparison.Ordinal);
        var name = TagName(inner, closing ? 1 : 0, out var afterName);
        if (name is null) return 0;
        var rest = inner.Substring(afterName).Trim();
        var selfClosing = rest.EndsWith("/", StringComparison.Ordinal);
        if (rest.IndexOf('<') >= 0) return 0;

        if (name == "br")
        {
            if (closing) return close - i + 1; // </br>: dropped
            sb.Append("<br/>");
            return close - i + 1;
        }
        var mapped = name switch
        {
            "b" or "strong" => "b",
            "i" or "em" => "i",
            "code" or "tt" => "c",
            _ => null,
        };
        if (mapped is null) return 0; // <AuthTokenRequest>, <p>, ... stay as text
        if (closing || selfClosing) return close - i + 1; // a stray </b>: markup, not text
        var match = depth < MaxDepth ? FindClosingTag(s, close + 1, end, name) : -1;
        if (match < 0)
        {
            // An unclosed <b> or <i> is markup too; an unclosed <code> is more likely text, as in a regex "(?<code>...)".
            return mapped == "c" ? 0 : close - i + 1;
        }
        sb.Append('<').Append(mapped).Append('>');
        if (mapped == "c")
        {
            for (var k = close + 1; k < match; k++) AppendEscaped(sb, s[k]);
        }
        else
        {
            Inline(s, close + 1, match, sb, depth + 1);
        }
        sb.Append("</").Append(mapped).Append('>');
        var matchEnd = s.IndexOf('>', match, end - match);
        return matchEnd + 1 - i;
    }

    private static string? TagName(string inner, int from, out int afterName)
    {
        var k = from;
        while (k < inner.Length && (char.IsLetterOrDigit(inner[k]) || inner[k] == ':' || inner[k] == '-') && inner[k] < 128) k++;
        afterName = k;
        if (k == from || !char.IsLetter(inner[from])) return null;
        if (k < inner.Length && inner[k] != ' ' && inner[k] != '/') return null;
        return inner.Substring(from, k - from).ToLowerInvariant();
    }

    /// <summary>The start of the &lt;/name&gt; that closes an open tag (same-name tags nest), or -1.</summary>
    private static int FindClosingTag(string s, int from, int end, string name)
    {
        var level = 0;
        var j = from;
        while (j < end)
        {
            var lt = s.IndexOf('<', j, end - j);
            if (lt < 0) return -1;
            var gt = s.IndexOf('>', lt + 1, end - lt - 1);
            if (gt < 0) return -1;
            var inner = s.Substring(lt + 1, gt - lt - 1);
            var closing = inner.StartsWith("/", StringComparison.Ordinal);
            var tagName = TagName(inner, closing ? 1 : 0, out _);
            if (tagName == name && !inner.TrimEnd().EndsWith("/", StringComparison.Ordinal))
            {
                if (closing)
                {
                    if (level == 0) return lt;
                    level--;
                }
                else
                {
                    level++;
                }
            }
            j = lt + 1;
        }
        return -1;
    }

    private static readonly Dictionary<string, string> Entities = new(StringComparer.Ordinal)
    {
        ["lt"] = "<", ["gt"] = ">", ["amp"] = "&", ["quot"] = "\"", ["apos"] = "'",
        ["nbsp"] = "\u00A0", ["ndash"] = "–", ["mdash"] = "—", ["hellip"] = "…", ["bull"] = "•", ["middot"] = "·",
        ["laquo"] = "«", ["raquo"] = "»", ["bdquo"] = "„", ["ldquo"] = "“", ["rdquo"] = "”", ["lsquo"] = "‘", ["rsquo"] = "’",
        ["copy"] = "©", ["reg"] = "®", ["trade"] = "™", ["euro"] = "€", ["deg"] = "°", ["plusmn"] = "±", ["sect"] = "§",
        ["times"] = "×", ["divide"] = "÷", ["le"] = "≤", ["ge"] = "≥", ["ne"] = "≠", ["rarr"] = "→", ["larr"] = "←", ["harr"] = "↔",
    };

    /// <summary>An entity at s[i] (&amp;lt;, &amp;#60;, &amp;nbsp;): decoded and escaped again, so it renders once; 0 when it is none.</summary>
    private static int Entity(string s, int i, int end, StringBuilder sb)
    {
        var semi = s.IndexOf(';', i + 1, Math.Min(end - i - 1, 34));
        if (semi < 0) return 0;
        var body = s.Substring(i + 1, semi - i - 1);
        string? text = null;
        if (body.Length > 1 && body[0] == '#')
        {
            var hex = body[1] == 'x' || body[1] == 'X';
            var digits = body.Substring(hex ? 2 : 1);
            if (digits.Length > 0 && digits.Length <= 7
                && int.TryParse(digits, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                && IsXmlChar(code))
            {
                text = char.ConvertFromUtf32(code);
            }
        }
        else
        {
            Entities.TryGetValue(body, out text);
        }
        if (text is null) return 0;
        foreach (var c in text) AppendEscaped(sb, c); // a surrogate pair from ConvertFromUtf32 passes through
        return semi - i + 1;
    }

    private static bool IsXmlChar(int code) =>
        code == 0x9 || code == 0xA || code == 0xD
        || (code >= 0x20 && code <= 0xD7FF)
        || (code >= 0xE000 && code <= 0xFFFD)
        || (code >= 0x10000 && code <= 0x10FFFF);

    private static bool IsAsciiPunctuation(char c) =>
        (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');

    private static bool IsBlank(string text, int from = 0)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i])) return false;
        }
        return true;
    }

    /// <summary>Whether the line's first character other than white space is a pipe (a table row).</summary>
    private static bool StartsWithPipe(string line)
    {
        var i = 0;
        while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
        return i < line.Length && line[i] == '|';
    }

    private static string Attribute(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c == '"') sb.Append("&quot;");
            else AppendEscaped(sb, c);
        }
        return sb.ToString();
    }

    private static void AppendEscaped(StringBuilder sb, char c)
    {
        switch (c)
        {
            case '<': sb.Append("&lt;"); break;
            case '>': sb.Append("&gt;"); break;
            case '&': sb.Append("&amp;"); break;
            case '\n': sb.Append('\n'); break;
            default:
                // Characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF) would make the comment malformed.
                if (c < 0x20 && c != '\t') return;
                if (c == '\uFFFE' || c == '\uFFFF') return;
                sb.Append(c);
                break;
        }
    }
}
