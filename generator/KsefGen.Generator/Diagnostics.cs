using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace KsefGen.Generator;

/// <summary>Every diagnostic the generator reports. Ids are stable: never reuse or renumber one.</summary>
internal static class Diagnostics
{
    private const string Category = "KsefGen";

    public static readonly DiagnosticDescriptor InvalidJson = new(
        "KSEFGEN001", "The OpenAPI document is not valid JSON",
        "The OpenAPI document '{0}' is not valid JSON: {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ReaderError = new(
        "KSEFGEN002", "The OpenAPI document could not be read",
        "OpenAPI reader: {0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnresolvedReference = new(
        "KSEFGEN003", "A $ref points to nothing",
        "The reference '{0}' does not resolve to a component of the document; '{1}' is typed as JsonElement", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedConstruct = new(
        "KSEFGEN004", "Unsupported schema construct",
        "'{0}' is not supported by KsefGen; '{1}' is typed as JsonElement", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnparsableStatusTable = new(
        "KSEFGEN005", "A status table could not be parsed",
        "The status table in '{0}' could not be parsed: {1}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameCollision = new(
        "KSEFGEN006", "Two elements get the same generated name",
        "{0} '{1}' collides with another {0} of the same name; it is generated as '{2}'", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidNamingFile = new(
        "KSEFGEN007", "The naming file is invalid",
        "The naming file '{0}' is invalid: {1}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedVersion = new(
        "KSEFGEN008", "Unsupported OpenAPI version",
        "The document declares '{0}'; KsefGen reads OpenAPI 3.0 and 3.1 documents", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InternalError = new(
        "KSEFGEN009", "KsefGen failed on this document",
        "KsefGen could not process '{0}': {1}. Please report this with the document attached.", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnusedNameOverride = new(
        "KSEFGEN010", "A naming override matches nothing",
        "The naming override '{0}' matches no {1} in the document", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnmatchedSelector = new(
        "KSEFGEN011", "A subset selector matches nothing",
        "{0} '{1}' matches no operation of the document; it selects nothing", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    private static readonly Dictionary<string, DiagnosticDescriptor> All = new()
    {
        [InvalidJson.Id] = InvalidJson,
        [ReaderError.Id] = ReaderError,
        [UnresolvedReference.Id] = UnresolvedReference,
        [UnsupportedConstruct.Id] = UnsupportedConstruct,
        [UnparsableStatusTable.Id] = UnparsableStatusTable,
        [NameCollision.Id] = NameCollision,
        [InvalidNamingFile.Id] = InvalidNamingFile,
        [UnsupportedVersion.Id] = UnsupportedVersion,
        [InternalError.Id] = InternalError,
        [UnusedNameOverride.Id] = UnusedNameOverride,
        [UnmatchedSelector.Id] = UnmatchedSelector,
    };

    public static DiagnosticDescriptor ById(string id) => All[id];
}
