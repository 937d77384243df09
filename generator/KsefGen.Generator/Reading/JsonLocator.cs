using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Reading;

/// <summary>
/// Finds where a JSON pointer ("#/paths/~1sessions/get") or a reader error sits in the spec text, so that
/// diagnostics point into the spec file. Only used when there is something to report.
/// </summary>
internal sealed class JsonLocator
{
    private readonly string _path;
    private readonly string _text;
    private byte[]? _utf8;
    private int[]? _lineStarts;

    public JsonLocator(string path, string text)
    {
        _path = path;
        _text = text;
    }

    /// <summary>The span of the member (or element) a JSON pointer names; the deepest existing parent when it does not exist.</summary>
    public SourceSpan Locate(string? pointer)
    {
        var utf8 = _utf8 ??= Encoding.UTF8.GetBytes(_text);
        var segments = Segments(pointer);
        long start = 0;
        long length = 1;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (reader.Read()) (start, length) = Find(ref reader, segments);
        }
        catch (JsonException)
        {
            // The text is not JSON: the start of the file is the best we can do.
        }
        var charStart = Encoding.UTF8.GetCharCount(utf8, 0, (int)start);
        var charLength = Math.Max(1, Encoding.UTF8.GetCharCount(utf8, (int)start, (int)Math.Min(length, utf8.Length - start)));
        return Span(charStart, charLength);
    }

    /// <summary>The span of <paramref name="byteLength"/> UTF-8 bytes from <paramref name="byteOffset"/> of the text.</summary>
    public SourceSpan LocateBytes(long byteOffset, long byteLength)
    {
        var utf8 = _utf8 ??= Encoding.UTF8.GetBytes(_text);
        var start = (int)Math.Max(0, Math.Min(byteOffset, utf8.Length));
        var length = (int)Math.Max(0, Math.Min(byteLength, utf8.Length - start));
        return Span(Encoding.UTF8.GetCharCount(utf8, 0, start), Math.Max(1, Encoding.UTF8.GetCharCount(utf8, start, length)));
    }

    /// <summary>
    /// The first member name that repeats within one object, with the byte offset and length of its second occurrence,
    /// or null. System.Text.Json's JsonObject throws on such a document when first touched.
    /// </summary>
    public (string Name, long Offset, long Length)? FindDuplicateKey()
    {
        var utf8 = _utf8 ??= Encoding.UTF8.GetBytes(_text);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var objects = new Stack<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        objects.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        objects.Push(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        objects.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString() ?? "";
                        if (objects.Peek() is { } names && !names.Add(name)) return (name, reader.TokenStartIndex, reader.ValueSpan.Length + 2);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: reported elsewhere.
        }
        return null;
    }

    /// <summary>The span at a reader error position (0-based line, byte in line).</summary>
    public SourceSpan LocateLine(long line, long bytePositionInLine)
    {
        var starts = LineStarts();
        var lineIndex = (int)Math.Max(0, Math.Min(line, starts.Length - 1));
        var lineStart = starts[lineIndex];
        var lineEnd = lineIndex + 1 < starts.Length ? starts[lineIndex + 1] : _text.Length;
        var column = 0;
        var bytes = 0;
        while (lineStart + column < lineEnd && bytes < bytePositionInLine)
        {
            bytes += Encoding.UTF8.GetByteCount(_text.Substring(lineStart + column, 1));
            column++;
        }
        return Span(lineStart + column, 1);
    }

    private SourceSpan Span(int start, int length)
    {
        start = Math.Max(0, Math.Min(start, _text.Length));
        length = Math.Max(0, Math.Min(length, _text.Length - start));
        var (startLine, startColumn) = LinePosition(start);
        var (endLine, endColumn) = LinePosition(start + length);
        return new SourceSpan(_path, start, length, startLine, startColumn, endLine, endColumn);
    }

    private (int Line, int Column) LinePosition(int offset)
    {
        var starts = LineStarts();
        var index = Array.BinarySearch(starts, offset);
        if (index < 0) index = ~index - 1;
        return (index, offset - starts[index]);
    }

    private int[] LineStarts()
    {
        if (_lineStarts is not null) return _lineStarts;
        var starts = new List<int> { 0 };
        for (var i = 0; i < _text.Length; i++)
        {
            if (_text[i] == '\n') starts.Add(i + 1);
        }
        return _lineStarts = starts.ToArray();
    }

    internal static string[] Segments(string? pointer)
    {
        if (string.IsNullOrEmpty(pointer)) return Array.Empty<string>();
        var p = pointer!;
        var hash = p.IndexOf('#');
        if (hash >= 0) p = p.Substring(hash + 1);
        p = p.Trim('/');
        if (p.Length == 0) return Array.Empty<string>();
        var parts = p.Split('/');
        for (var i = 0; i < parts.Length; i++) parts[i] = Uri.UnescapeDataString(parts[i]).Replace("~1", "/").Replace("~0", "~");
        return parts;
    }

    /// <summary>Escapes one pointer segment.</summary>
    public static string Escape(string segment) => segment.Replace("~", "~0").Replace("/", "~1");

    private static (long Start, long Length) Find(ref Utf8JsonReader reader, string[] segments)
    {
        long bestStart = reader.TokenStartIndex;
        long bestLength = 1;
        var depth = 0;
        while (depth < segments.Length)
        {
            var found = false;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals(segments[depth]))
                    {
                        bestStart = reader.TokenStartIndex;
                        bestLength = reader.ValueSpan.Length + 2;
                        reader.Read();
                        found = true;
                        break;
                    }
                    reader.Read();
                    reader.Skip();
                }
            }
            else if (reader.TokenType == JsonTokenType.StartArray && int.TryParse(segments[depth], out var index))
            {
                var k = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (k == index)
                    {
                        bestStart = reader.TokenStartIndex;
                        bestLength = 1;
                        found = true;
                        break;
                    }
                    reader.Skip();
                    k++;
                }
            }
            if (!found) break;
            depth++;
        }
        return (bestStart, bestLength);
    }
}
