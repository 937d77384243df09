namespace KsefGen.Generator;

/// <summary>Ranges of a string, trimmed without copying it.</summary>
internal static class TextRange
{
    /// <summary>Moves <paramref name="start"/> and <paramref name="end"/> inward past white space, so that text[start..end) is trimmed (empty when it is all white space).</summary>
    public static void Trim(string text, ref int start, ref int end)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
    }
}
