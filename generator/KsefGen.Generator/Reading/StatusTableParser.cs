using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace KsefGen.Generator.Reading;

/// <summary>One parsed row of a Markdown status table.</summary>
internal sealed class ParsedStatusRow
{
    public ParsedStatusRow(int? code, string? scope, string description, string? details, List<string> extensions)
    {
        Code = code;
        Scope = scope;
        Description = description;
        Details = details;
        Extensions = extensions;
    }

    /// <summary>The code, or null for the "*" row.</summary>
    public int? Code { get; }
    public string? Scope { get; }
    public string Description { get; }
    public string? Details { get; }
    public List<string> Extensions { get; }
}

/// <summary>The status tables found in one description.</summary>
internal sealed class ParsedStatusTables
{
    public List<ParsedStatusRow> Rows { get; } = new();
    public List<string> Problems { get; } = new();

    public bool Found { get; set; }
}

/// <summary>
/// Reads the Markdown tables KSeF puts in <c>description</c> fields: a header whose first column is
/// "Code" (or "Kod"), a separator row, then rows of code | description | details | extensions. A line just
/// before a table ("Sesja wsadowa:") names its scope; codes repeat across rows; "*" stands for "any other".
/// </summary>
internal static class StatusTableParser
{
    public static ParsedStatusTables Parse(string? description)
    {
        var result = new ParsedStatusTables();
        if (string.IsNullOrEmpty(description)) return result;

        var lines = description!.Replace("\r\n", "\n").Split('\n');
        string? lastProse = null;
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("|", StringComparison.Ordinal))
            {
                if (line.Length > 0) lastProse = line;
                i++;
                continue;
            }

            var header = SplitRow(line);
            var start = i;
            var codeColumn = IndexOf(header, "code", "kod");
            if (codeColumn != 0)
            {
                // Not a status table: keep it as prose.
                while (i < lines.Length && lines[i].Trim().StartsWith("|", StringComparison.Ordinal)) i++;
                lastProse = null;
                continue;
            }

            result.Found = true;
            // A line ending in ':' right before a table names its scope ("Sesja wsadowa:"); other prose does not.
            string? scope = null;
            if (lastProse is not null && lastProse.EndsWith(":", StringComparison.Ordinal))
            {
                scope = lastProse.TrimEnd(':').Trim();
            }
            var descriptionColumn = IndexOf(header, "description", "opis");
            var detailsColumn = IndexOf(header, "details", "szczegóły", "szczegoly");
            var extensionsColumn = IndexOf(header, "extensions", "rozszerzenia");
            if (descriptionColumn < 0) descriptionColumn = 1;

            i++;
            if (i >= lines.Length || !IsSeparator(SplitRow(lines[i].Trim())))
            {
                result.Problems.Add($"the table at line {start + 1} of the description has no separator row after its header");
            }
            else
            {
                i++;
            }

            while (i < lines.Length && lines[i].Trim().StartsWith("|", StringComparison.Ordinal))
            {
                var cells = SplitRow(lines[i].Trim());
                var codeText = cells.Count > 0 ? cells[0] : "";
                int? code;
                if (codeText == "*")
                {
                    code = null;
                }
                else if (int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    code = parsed;
                }
                else
                {
                    result.Problems.Add($"row '{lines[i].Trim()}' has the code '{codeText}', which is neither a number nor '*'");
                    i++;
                    continue;
                }

                var desc = Cell(cells, descriptionColumn) ?? "";
                var details = Cell(cells, detailsColumn);
                var extensions = new List<string>();
                var extCell = Cell(cells, extensionsColumn);
                if (extCell is not null)
                {
                    foreach (var part in extCell.Split(','))
                    {
                        var key = part.Trim().Trim('\'', '"', '`', ' ');
                        if (key.Length > 0) extensions.Add(key);
                    }
                }
                result.Rows.Add(new ParsedStatusRow(code, string.IsNullOrEmpty(scope) ? null : scope, desc, details, extensions));
                i++;
            }
            lastProse = null;
        }

        if (result.Found && result.Rows.Count == 0 && result.Problems.Count == 0)
        {
            result.Problems.Add("the table has a header but no rows");
        }
        return result;
    }

    private static string? Cell(List<string> cells, int index)
    {
        if (index < 0 || index >= cells.Count) return null;
        var text = cells[index];
        return text.Length == 0 || text == "-" || text == "–" || text == "—" ? null : text;
    }

    private static int IndexOf(List<string> header, params string[] names)
    {
        for (var i = 0; i < header.Count; i++)
        {
            foreach (var name in names)
            {
                if (string.Equals(header[i], name, StringComparison.OrdinalIgnoreCase)) return i;
            }
        }
        return -1;
    }

    private static bool IsSeparator(List<string> cells)
    {
        if (cells.Count == 0) return false;
        foreach (var cell in cells)
        {
            if (cell.Length == 0) return false;
            foreach (var c in cell)
            {
                if (c != '-' && c != ':' && c != ' ') return false;
            }
        }
        return true;
    }

    /// <summary>Splits "| a | b \| c |" into ["a", "b | c"].</summary>
    internal static List<string> SplitRow(string line)
    {
        var cells = new List<string>();
        var start = 0;
        var end = line.Length;
        TextRange.Trim(line, ref start, ref end);
        if (start < end && line[start] == '|') start++;
        // A cell is cut out of the line as it is; only one with an escaped pipe is rebuilt (in unescaped).
        StringBuilder? unescaped = null;
        var cellStart = start;
        for (var i = start; i < end; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < end && line[i + 1] == '|')
            {
                (unescaped ??= new StringBuilder()).Append(line, cellStart, i - cellStart).Append('|');
                i++;
                cellStart = i + 1;
            }
            else if (c == '|')
            {
                cells.Add(CellText(line, cellStart, i, unescaped));
                cellStart = i + 1;
            }
        }
        var rest = CellText(line, cellStart, end, unescaped);
        if (rest.Length > 0) cells.Add(rest);
        return cells;
    }

    /// <summary>The trimmed text of line[start..end), after what <paramref name="unescaped"/> holds of the cell (emptied).</summary>
    private static string CellText(string line, int start, int end, StringBuilder? unescaped)
    {
        if (unescaped is { Length: > 0 })
        {
            var text = unescaped.Append(line, start, end - start).ToString().Trim();
            unescaped.Clear();
            return text;
        }
        TextRange.Trim(line, ref start, ref end);
        return line.Substring(start, end - start);
    }
}
