using System.Globalization;
using System.Text;

namespace KsefGen.Generator.Emitting;

/// <summary>C# source text for values: the emitters' one way to write a string into generated code.</summary>
internal static class CSharpText
{
    /// <summary>A C# string literal for <paramref name="text"/>.</summary>
    public static string Literal(string? text)
    {
        if (text is null) return "null";
        if (!NeedsEscape(text)) return "\"" + text + "\"";
        var sb = new StringBuilder(text.Length + 8);
        sb.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    // Control characters, the other line terminators C# knows (a raw one ends the literal: CS1010) and a
                    // surrogate that is not half of a pair (not encodable in the generated file) are written as escapes.
                    var unpaired = char.IsHighSurrogate(c) ? i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])
                        : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]));
                    if (c < 32 || c == '\u007f' || c == '\u0085' || c == '\u2028' || c == '\u2029' || unpaired) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>Whether the text may need an escape: anything but printable ASCII, a quote or a backslash (a conservative test).</summary>
    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (c < 32 || c > 126 || c == '"' || c == '\\') return true;
        }
        return false;
    }
}
