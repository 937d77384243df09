using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Reading;

/// <summary>Turns spec names (paths, tags, schema and property names) into C# identifiers.</summary>
internal static class Naming
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>
    /// Members every class and struct inherits from object. A generated member of the same name hides one (CS0108, a
    /// warning that breaks a consumer built with warnings as errors), so member names avoid them.
    /// </summary>
    public static readonly string[] ObjectMembers = { "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "ReferenceEquals", "Finalize" };

    /// <summary>Polish letters and their ASCII forms, so Polish names still give readable identifiers.</summary>
    public static string RemoveDiacritics(string text)
    {
        // ASCII has no diacritics (and its decomposed form is itself): most names are returned as they are.
        if (IsAscii(text)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                'ą' => 'a', 'ć' => 'c', 'ę' => 'e', 'ł' => 'l', 'ń' => 'n', 'ó' => 'o', 'ś' => 's', 'ź' => 'z', 'ż' => 'z',
                'Ą' => 'A', 'Ć' => 'C', 'Ę' => 'E', 'Ł' => 'L', 'Ń' => 'N', 'Ó' => 'O', 'Ś' => 'S', 'Ź' => 'Z', 'Ż' => 'Z',
                _ => c,
            });
        }
        var normalized = sb.ToString().Normalize(NormalizationForm.FormD);
        sb.Clear();
        foreach (var c in normalized)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsAscii(string text)
    {
        foreach (var c in text)
        {
            if (c >= 128) return false;
        }
        return true;
    }

    /// <summary>"session-status", "session_status", "sessionStatus", "Session status" → "SessionStatus".</summary>
    public static string Pascal(string text)
    {
        var sb = new StringBuilder(text.Length);
        var upperNext = true;
        foreach (var c in RemoveDiacritics(text))
        {
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                sb.Append(upperNext ? char.ToUpperInvariant(c) : c);
                upperNext = false;
            }
            else
            {
                upperNext = true;
            }
        }
        var result = sb.ToString();
        if (result.Length == 0) return "_";
        return char.IsDigit(result[0]) ? "_" + result : result;
    }

    /// <summary>A camelCase parameter name, escaped when it is a C# keyword.</summary>
    public static string Camel(string text)
    {
        var pascal = Pascal(text);
        if (pascal.StartsWith("_", StringComparison.Ordinal)) return pascal;
        var camel = char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return Keywords.Contains(camel) ? "@" + camel : camel;
    }

    /// <summary>A valid type or member name: Pascal, never a keyword.</summary>
    public static string TypeName(string text)
    {
        var name = Pascal(text);
        return Keywords.Contains(name) ? "@" + name : name;
    }

    /// <summary>Members KsefJsonContext has of its own (besides object's): a type of that name gets its property as "…Info".</summary>
    private static readonly string[] JsonContextMembers = { "Default", "Options", "GetTypeInfo", "GeneratedSerializerOptions", "KsefJsonContext" };

    /// <summary>
    /// The KsefJsonContext property of every generated type, ordered by type name: named as the type, except that a name
    /// the context already has (its own members, object's) gets "Info" (and a number if that is taken too).
    /// </summary>
    public static Model.EquatableArray<Model.JsonContextEntry> JsonContextProperties(IEnumerable<string> typeNames)
    {
        var types = new List<string>(typeNames);
        types.Sort(StringComparer.Ordinal);
        var reserved = new HashSet<string>(ObjectMembers, StringComparer.Ordinal);
        reserved.UnionWith(JsonContextMembers);
        var taken = new HashSet<string>(reserved, StringComparer.Ordinal);
        taken.UnionWith(types);
        var entries = new List<Model.JsonContextEntry>(types.Count);
        foreach (var name in types) entries.Add(new Model.JsonContextEntry(name, reserved.Contains(name) ? Unique(name + "Info", taken) : name));
        return entries.ToEquatableArray();
    }

    /// <summary>Returns <paramref name="name"/>, or it with the first free number appended.</summary>
    public static string Unique(string name, ISet<string> taken)
    {
        if (taken.Add(name)) return name;
        for (var i = 2; ; i++)
        {
            var candidate = name + i.ToString(CultureInfo.InvariantCulture);
            if (taken.Add(candidate)) return candidate;
        }
    }
}
