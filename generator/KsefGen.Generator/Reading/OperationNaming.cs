using System;
using System.Collections.Generic;
using System.Text;

namespace KsefGen.Generator.Reading;

/// <summary>Method names for operations, which the KSeF spec leaves without operationId.</summary>
internal static class OperationNaming
{
    private static readonly HashSet<string> Actions = new(StringComparer.OrdinalIgnoreCase)
    {
        "close", "redeem", "refresh", "revoke", "remove", "block", "unblock", "query", "retrieve", "open", "send",
        "cancel", "terminate", "finish", "upload", "download", "verify", "validate", "generate",
    };

    /// <summary>
    /// Drops the base path older specs wrote into every path ("/api/v2/sessions" before 2025-12-15; the newer ones
    /// put "/v2" into servers) and writes every parameter as {}, so names do not change between those versions.
    /// </summary>
    public static string NormalizePath(string path)
    {
        var p = path.Trim();
        if (!p.StartsWith("/", StringComparison.Ordinal)) p = "/" + p;
        foreach (var prefix in new[] { "/api/v2/", "/v2/" })
        {
            if (p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                p = p.Substring(prefix.Length - 1);
                break;
            }
        }
        var sb = new StringBuilder(p.Length);
        var inParam = false;
        foreach (var c in p)
        {
            if (c == '{')
            {
                inParam = true;
                sb.Append("{}");
            }
            else if (c == '}')
            {
                inParam = false;
            }
            else if (!inParam)
            {
                sb.Append(c);
            }
        }
        var result = sb.ToString().TrimEnd('/');
        return result.Length == 0 ? "/" : result;
    }

    /// <summary>
    /// A name from method and path: GET /tokens/{referenceNumber} → GetTokensById,
    /// POST /certificates/{serial}/revoke → RevokeCertificates.
    /// </summary>
    public static string Derive(string method, string path)
    {
        var normalizedPrefix = StripBase(path);
        var segments = new List<string>(normalizedPrefix.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries));
        string verb = method.ToUpperInvariant() switch
        {
            "GET" => "Get",
            "PUT" => "Put",
            "DELETE" => "Delete",
            "PATCH" => "Patch",
            "HEAD" => "Head",
            "OPTIONS" => "Options",
            _ => "Post",
        };
        if (segments.Count > 0 && !IsParameter(segments[segments.Count - 1]) && Actions.Contains(segments[segments.Count - 1]) && verb == "Post")
        {
            verb = Naming.Pascal(segments[segments.Count - 1]);
            segments.RemoveAt(segments.Count - 1);
        }
        var sb = new StringBuilder(verb);
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (IsParameter(segment))
            {
                // Not the parameter's own name: specs rename path parameters ({operationReferenceNumber} became
                // {referenceNumber}), and the method name must not change with them.
                if (i == segments.Count - 1) sb.Append("ById");
            }
            else
            {
                sb.Append(Naming.Pascal(segment));
            }
        }
        return sb.ToString();
    }

    private static bool IsParameter(string segment) => segment.StartsWith("{", StringComparison.Ordinal);

    private static string StripBase(string path)
    {
        foreach (var prefix in new[] { "/api/v2/", "/v2/" })
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return path.Substring(prefix.Length - 1);
        }
        return path;
    }
}
