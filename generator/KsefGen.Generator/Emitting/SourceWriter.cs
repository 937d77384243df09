using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace KsefGen.Generator.Emitting;

/// <summary>A tiny indented text writer for generated C#.</summary>
internal sealed class SourceWriter
{
    // One builder per thread, reused from file to file: it grows to the largest file once, instead of every file
    // growing a builder of its own chunk by chunk (a generation writes ~300 files, 2 million characters).
    [ThreadStatic] private static StringBuilder? t_spare;

    private StringBuilder? _builder = Rent();
    private int _indent;

    private StringBuilder _sb => _builder ?? throw new InvalidOperationException("The source was already taken with ToString().");

    private static StringBuilder Rent()
    {
        var spare = t_spare;
        t_spare = null;
        return spare ?? new StringBuilder(8192);
    }

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    /// <summary>
    /// A line from an interpolated string, written piece by piece into the source (the line's own string is never built);
    /// the same text as <see cref="Line(string)"/> of that string.
    /// </summary>
    public SourceWriter Line([InterpolatedStringHandlerArgument("")] ref LineHandler line)
    {
        // An empty line has no indentation, as with Line(string).
        if (_sb.Length == line.ContentStart) _sb.Length = line.LineStart;
        _sb.Append('\n');
        return this;
    }

    /// <summary>A line of <paramref name="prefix"/> and <paramref name="text"/>, without joining them into a string first.</summary>
    private void Line(string prefix, string text)
    {
        _sb.Append(' ', _indent * 4).Append(prefix).Append(text).Append('\n');
    }

    public SourceWriter Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Like <see cref="Open(string)"/>, with the line written straight from an interpolated string.</summary>
    public SourceWriter Open([InterpolatedStringHandlerArgument("")] ref LineHandler line)
    {
        Line(ref line);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        Line("}", suffix);
        return this;
    }

    /// <summary>
    /// Writes an XML doc element from XML the emitter wrote itself, as it is: its <c>&lt;see cref&gt;</c>s and
    /// <c>&lt;c&gt;</c>s stay elements. Text from the spec goes through <see cref="SpecDoc"/> or
    /// <see cref="MarkdownDoc.Escape"/> first. One line per line; nothing when the text is empty.
    /// </summary>
    public SourceWriter Doc(string element, string? xml, string attributes = "")
    {
        if (string.IsNullOrWhiteSpace(xml)) return this;
        var text = xml!;
        var start = 0;
        var end = text.Length;
        TextRange.Trim(text, ref start, ref end);
        Line($"/// <{element}{attributes}>");
        // Every line terminator C# knows ends a // comment, so each starts a new /// line: a lone \r or a U+2028 left inside
        // a line would turn the rest of the spec's text into code. "\r\n" is one terminator.
        while (true)
        {
            var terminator = text.IndexOfAny(LineTerminators, start, end - start);
            var lineEnd = terminator < 0 ? end : terminator;
            var trimmedEnd = lineEnd;
            while (trimmedEnd > start && char.IsWhiteSpace(text[trimmedEnd - 1])) trimmedEnd--;
            if (trimmedEnd == start)
            {
                Line("///");
            }
            else
            {
                _sb.Append(' ', _indent * 4).Append("/// ");
                AppendXmlSafe(text, start, trimmedEnd);
                _sb.Append('\n');
            }
            if (terminator < 0) break;
            start = text[terminator] == '\r' && terminator + 1 < end && text[terminator + 1] == '\n' ? terminator + 2 : terminator + 1;
        }
        Line($"/// </{element}>");
        return this;
    }

    /// <summary>
    /// Like <see cref="Doc"/>, but a one-line text goes on one line (<c>/// &lt;remarks&gt;text&lt;/remarks&gt;</c>):
    /// for the short notes repeated on every member, where two more lines each only add to what the compiler reads.
    /// </summary>
    public SourceWriter DocLine(string element, string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml)) return this;
        var text = xml!;
        var start = 0;
        var end = text.Length;
        TextRange.Trim(text, ref start, ref end);
        if (text.IndexOfAny(LineTerminators, start, end - start) >= 0) return Doc(element, xml);
        _sb.Append(' ', _indent * 4).Append("/// <").Append(element).Append('>');
        AppendXmlSafe(text, start, end);
        _sb.Append("</").Append(element).Append(">\n");
        return this;
    }

    /// <summary>Writes an XML doc element from the spec's Markdown, or from <paramref name="fallbackXml"/> (our own XML) when the spec has none.</summary>
    public SourceWriter SpecDoc(string element, string? markdown, string? fallbackXml = null, string attributes = "")
    {
        var xml = MarkdownDoc.ToXml(markdown);
        return Doc(element, xml.Length > 0 ? xml : fallbackXml, attributes);
    }

    private static readonly char[] LineTerminators = { '\n', '\r', '\u0085', '\u2028', '\u2029' };

    /// <summary>
    /// Appends text[start..end) with the characters XML cannot hold (control characters, unpaired surrogates) replaced by
    /// U+FFFD; a surrogate pair split by start or end counts as unpaired.
    /// </summary>
    private void AppendXmlSafe(string text, int start, int end)
    {
        var clean = start;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            var bad = c < 32 && c != '\t'
                || (char.IsHighSurrogate(c) ? i + 1 >= end || !char.IsLowSurrogate(text[i + 1]) : char.IsLowSurrogate(c) && (i == start || !char.IsHighSurrogate(text[i - 1])))
                || c == '\uFFFE' || c == '\uFFFF';
            if (!bad) continue;
            _sb.Append(text, clean, i - clean).Append('\uFFFD');
            clean = i + 1;
        }
        _sb.Append(text, clean, end - clean);
    }

    /// <summary>Writes the fixed header of every generated file.</summary>
    public SourceWriter Header()
    {
        Line("// <auto-generated/>");
        Line("// Generated by KsefGen from an OpenAPI document. Do not edit: changes are lost on the next build.");
        Line("#nullable enable");
        Line("#pragma warning disable CS1591, CS0618, CS0612");
        Line();
        return this;
    }

    /// <summary>
    /// Builds a line of generated code from an interpolated string straight into the writer: the indentation first, then
    /// each literal and value as it comes.
    /// </summary>
    [InterpolatedStringHandler]
    public ref struct LineHandler
    {
        private readonly StringBuilder _sb;

        /// <summary>Starts the line: writes the writer's indentation.</summary>
        public LineHandler(int literalLength, int formattedCount, SourceWriter writer)
        {
            _sb = writer._sb;
            LineStart = _sb.Length;
            _sb.Append(' ', writer._indent * 4);
            ContentStart = _sb.Length;
        }

        /// <summary>Where the line starts in the source.</summary>
        public int LineStart { get; }

        /// <summary>Where the line's text starts, after the indentation.</summary>
        public int ContentStart { get; }

        /// <summary>Appends literal text.</summary>
        public void AppendLiteral(string value) => _sb.Append(value);

        /// <summary>Appends a value; null appends nothing.</summary>
        public void AppendFormatted(string? value) => _sb.Append(value);

        /// <summary>Appends a number in the invariant culture.</summary>
        public void AppendFormatted(int value) => _sb.Append(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The source written; ends the writer (its builder goes back for the next file on this thread).</summary>
    public override string ToString()
    {
        var builder = _sb;
        var text = builder.ToString();
        _builder = null;
        // A builder grown for an unusually large file is not kept (the compiler server lives long).
        if (builder.Capacity <= 512 * 1024)
        {
            builder.Clear();
            t_spare = builder;
        }
        return text;
    }
}
