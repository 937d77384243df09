using System;
using System.Collections.Generic;

namespace KsefGen.Generator.Reading;

/// <summary>
/// Built-in English names for the official KSeF surface. These are defaults: a naming file beside the spec
/// overrides any of them, and anything not listed here gets a name derived from the spec.
/// </summary>
internal static class KnownNames
{
    /// <summary>
    /// The client base name of an official (Polish) tag, matched ignoring case, diacritics, spacing and punctuation
    /// ("Status wysylki i UPO", "status wysyłki i upo." and "Status wysyłki i UPO" are one tag); null for other tags.
    /// </summary>
    public static string? Tag(string tag) => TagsByKey.TryGetValue(TagKey(tag), out var name) ? name : null;

    private static Dictionary<string, string> BuildTagKeys()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Tags) result[TagKey(pair.Key)] = pair.Value;
        return result;
    }

    /// <summary>Letters and digits only, lower case, without diacritics.</summary>
    internal static string TagKey(string tag)
    {
        var sb = new System.Text.StringBuilder(tag.Length);
        foreach (var c in Naming.RemoveDiacritics(tag))
        {
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>Official (Polish) tag → client base name. Renamed tags keep the same client.</summary>
    private static readonly Dictionary<string, string> Tags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Status wysyłki i UPO"] = "SessionStatus",
        ["Uzyskiwanie dostępu"] = "Authentication",
        ["Uwierzytelnianie"] = "Authentication",
        ["Wysyłka interaktywna"] = "OnlineSession",
        ["Wysyłka wsadowa"] = "BatchSession",
        ["Aktywne sesje"] = "ActiveSessions",
        ["Certyfikaty"] = "Certificates",
        ["Certyfikaty klucza publicznego"] = "PublicKeyCertificates",
        ["Dane testowe"] = "TestData",
        ["Limity i ograniczenia"] = "Limits",
        ["Nadawanie uprawnień"] = "PermissionGrants",
        ["Odbieranie uprawnień"] = "PermissionRevocations",
        ["Operacje"] = "PermissionOperations",
        ["Pobieranie faktur"] = "Invoices",
        ["Tokeny KSeF"] = "Tokens",
        ["Usługi Peppol"] = "Peppol",
        ["Wyszukiwanie nadanych uprawnień"] = "PermissionQueries",
    };

    // After Tags: static fields are initialised in the order they are written.
    private static readonly Dictionary<string, string> TagsByKey = BuildTagKeys();

    /// <summary>
    /// Operation key ("METHOD /path" with the base path removed and every parameter written as {}) → the client base
    /// name and the method name without the Async suffix, for every operation of every official version. An operation
    /// listed here keeps both whatever happens to its tag's wording, its operationId or its parameter names. The eight
    /// status/UPO names are the ones the official .NET SDK uses.
    /// </summary>
    public static readonly Dictionary<string, (string Client, string Method)> Operations = new(StringComparer.Ordinal)
    {
        ["GET /sessions"] = ("SessionStatus", "GetSessions"),
        ["GET /sessions/{}"] = ("SessionStatus", "GetSessionStatus"),
        ["GET /sessions/{}/invoices"] = ("SessionStatus", "GetSessionInvoices"),
        ["GET /sessions/{}/invoices/{}"] = ("SessionStatus", "GetSessionInvoice"),
        ["GET /sessions/{}/invoices/failed"] = ("SessionStatus", "GetSessionFailedInvoices"),
        ["GET /sessions/{}/invoices/{}/upo"] = ("SessionStatus", "GetSessionInvoiceUpoByReferenceNumber"),
        ["GET /sessions/{}/invoices/ksef/{}/upo"] = ("SessionStatus", "GetSessionInvoiceUpoByKsefNumber"),
        ["GET /sessions/{}/upo/{}"] = ("SessionStatus", "GetSessionUpo"),
        ["POST /auth/challenge"] = ("Authentication", "GetAuthChallenge"),
        ["POST /auth/xades-signature"] = ("Authentication", "SubmitXadesAuthRequest"),
        ["POST /auth/ksef-token"] = ("Authentication", "SubmitKsefTokenAuthRequest"),
        ["GET /auth/{}"] = ("Authentication", "GetAuthStatus"),
        ["POST /auth/token/redeem"] = ("Authentication", "RedeemToken"),
        ["POST /auth/token/refresh"] = ("Authentication", "RefreshAccessToken"),
        ["GET /auth/sessions"] = ("ActiveSessions", "GetActiveSessions"),
        ["DELETE /auth/sessions/current"] = ("ActiveSessions", "RevokeCurrentSession"),
        ["DELETE /auth/sessions/{}"] = ("ActiveSessions", "RevokeSession"),
        ["POST /sessions/online"] = ("OnlineSession", "OpenOnlineSession"),
        ["POST /sessions/online/{}/invoices"] = ("OnlineSession", "SendOnlineSessionInvoice"),
        ["POST /sessions/online/{}/close"] = ("OnlineSession", "CloseOnlineSession"),
        ["POST /sessions/batch"] = ("BatchSession", "OpenBatchSession"),
        ["POST /sessions/batch/{}/close"] = ("BatchSession", "CloseBatchSession"),
        ["GET /security/public-key-certificates"] = ("PublicKeyCertificates", "GetPublicKeyCertificates"),
        ["GET /invoices/ksef/{}"] = ("Invoices", "GetInvoice"),
        ["POST /invoices/query/metadata"] = ("Invoices", "QueryInvoiceMetadata"),
        ["POST /invoices/exports"] = ("Invoices", "ExportInvoices"),
        ["GET /invoices/exports/{}"] = ("Invoices", "GetInvoiceExportStatus"),
        ["POST /invoices/query"] = ("Invoices", "QueryInvoices"),
        ["POST /invoices/download"] = ("Invoices", "DownloadInvoice"),
        ["POST /invoices/async-query"] = ("Invoices", "StartInvoiceQuery"),
        ["GET /invoices/async-query/{}"] = ("Invoices", "GetInvoiceQueryStatus"),
        ["POST /tokens"] = ("Tokens", "GenerateToken"),
        ["GET /tokens"] = ("Tokens", "GetTokens"),
        ["GET /tokens/{}"] = ("Tokens", "GetToken"),
        ["DELETE /tokens/{}"] = ("Tokens", "RevokeToken"),
        ["GET /certificates/limits"] = ("Certificates", "GetCertificateLimits"),
        ["GET /certificates/enrollments/data"] = ("Certificates", "GetCertificateEnrollmentData"),
        ["POST /certificates/enrollments"] = ("Certificates", "SubmitCertificateEnrollment"),
        ["GET /certificates/enrollments/{}"] = ("Certificates", "GetCertificateEnrollmentStatus"),
        ["POST /certificates/retrieve"] = ("Certificates", "RetrieveCertificates"),
        ["POST /certificates/{}/revoke"] = ("Certificates", "RevokeCertificate"),
        ["POST /certificates/query"] = ("Certificates", "QueryCertificates"),
        ["GET /limits/context"] = ("Limits", "GetContextLimits"),
        ["GET /limits/subject"] = ("Limits", "GetSubjectLimits"),
        ["GET /rate-limits"] = ("Limits", "GetRateLimits"),
        ["POST /testdata/limits/context/session"] = ("Limits", "SetSessionLimits"),
        ["DELETE /testdata/limits/context/session"] = ("Limits", "RestoreDefaultSessionLimits"),
        ["POST /testdata/limits/subject/certificate"] = ("Limits", "SetCertificateLimits"),
        ["DELETE /testdata/limits/subject/certificate"] = ("Limits", "RestoreDefaultCertificateLimits"),
        ["POST /testdata/rate-limits"] = ("Limits", "SetRateLimits"),
        ["DELETE /testdata/rate-limits"] = ("Limits", "RestoreDefaultRateLimits"),
        ["POST /testdata/rate-limits/production"] = ("Limits", "SetProductionRateLimits"),
        ["POST /testdata/subject"] = ("TestData", "CreateSubject"),
        ["POST /testdata/subject/remove"] = ("TestData", "RemoveSubject"),
        ["POST /testdata/person"] = ("TestData", "CreatePerson"),
        ["POST /testdata/person/remove"] = ("TestData", "RemovePerson"),
        ["POST /testdata/permissions"] = ("TestData", "GrantPermissions"),
        ["POST /testdata/permissions/revoke"] = ("TestData", "RevokePermissions"),
        ["POST /testdata/attachment"] = ("TestData", "EnableAttachments"),
        ["POST /testdata/attachment/revoke"] = ("TestData", "DisableAttachments"),
        ["POST /testdata/context/block"] = ("TestData", "BlockContextAuthentication"),
        ["POST /testdata/context/unblock"] = ("TestData", "UnblockContextAuthentication"),
        ["POST /permissions/persons/grants"] = ("PermissionGrants", "GrantPersonPermissions"),
        ["POST /permissions/entities/grants"] = ("PermissionGrants", "GrantEntityPermissions"),
        ["POST /permissions/authorizations/grants"] = ("PermissionGrants", "GrantAuthorizationPermissions"),
        ["POST /permissions/indirect/grants"] = ("PermissionGrants", "GrantIndirectPermissions"),
        ["POST /permissions/subunits/grants"] = ("PermissionGrants", "GrantSubunitPermissions"),
        ["POST /permissions/eu-entities/administration/grants"] = ("PermissionGrants", "GrantEuEntityAdministrationPermissions"),
        ["POST /permissions/eu-entities/grants"] = ("PermissionGrants", "GrantEuEntityRepresentativePermissions"),
        ["DELETE /permissions/common/grants/{}"] = ("PermissionRevocations", "RevokePermission"),
        ["DELETE /permissions/authorizations/grants/{}"] = ("PermissionRevocations", "RevokeAuthorizationPermission"),
        ["GET /permissions/operations/{}"] = ("PermissionOperations", "GetPermissionOperationStatus"),
        ["GET /permissions/attachments/status"] = ("PermissionOperations", "GetAttachmentPermissionStatus"),
        ["POST /permissions/query/persons/grants"] = ("PermissionQueries", "QueryPersonPermissions"),
        ["POST /permissions/query/personal/grants"] = ("PermissionQueries", "QueryPersonalPermissions"),
        ["POST /permissions/query/authorizations/grants"] = ("PermissionQueries", "QueryAuthorizationPermissions"),
        ["POST /permissions/query/entities/grants"] = ("PermissionQueries", "QueryEntityPermissions"),
        ["POST /permissions/query/eu-entities/grants"] = ("PermissionQueries", "QueryEuEntityPermissions"),
        ["POST /permissions/query/subunits/grants"] = ("PermissionQueries", "QuerySubunitPermissions"),
        ["POST /permissions/query/subordinate-entities/roles"] = ("PermissionQueries", "QuerySubordinateEntityRoles"),
        ["GET /permissions/query/entities/roles"] = ("PermissionQueries", "GetEntityRoles"),
        ["GET /peppol/query"] = ("Peppol", "GetPeppolProviders"),
    };

    /// <summary>"Schema.property" holding a status table → status-code type name.</summary>
    public static readonly Dictionary<string, string> StatusTables = new(StringComparer.Ordinal)
    {
        ["SessionStatusResponse.status"] = "SessionStatusCode",
        ["SessionInvoiceStatusResponse.status"] = "InvoiceStatusCode",
        ["SessionInvoice.status"] = "InvoiceStatusCode",
        ["InvoiceStatusResponse.status"] = "InvoiceStatusCode",
        ["AuthenticationOperationStatusResponse.status"] = "AuthenticationStatusCode",
        ["AuthenticationListItem.status"] = "AuthenticationStatusCode",
    };

    /// <summary>English member names per status-code type and code.</summary>
    public static readonly Dictionary<string, Dictionary<int, string>> StatusMembers = new(StringComparer.Ordinal)
    {
        ["SessionStatusCode"] = new()
        {
            [100] = "Opened",
            [150] = "Processing",
            [170] = "Closed",
            [200] = "Succeeded",
            [405] = "PartVerificationFailed",
            [415] = "KeyDecryptionFailed",
            [420] = "InvoiceLimitExceeded",
            [430] = "DecompressionFailed",
            [435] = "PartDecryptionFailed",
            [440] = "Cancelled",
            [445] = "NoValidInvoices",
            [500] = "UnknownError",
        },
        ["InvoiceStatusCode"] = new()
        {
            [100] = "Accepted",
            [150] = "Processing",
            [200] = "Succeeded",
            [405] = "CancelledDueToSessionError",
            [410] = "InvalidPermissionScope",
            [415] = "AttachmentsNotAllowed",
            [430] = "FileVerificationFailed",
            [435] = "FileDecryptionFailed",
            [440] = "Duplicate",
            [450] = "SemanticVerificationFailed",
            [500] = "UnknownError",
            [550] = "CancelledBySystem",
        },
        ["AuthenticationStatusCode"] = new()
        {
            [100] = "InProgress",
            [200] = "Succeeded",
            [415] = "NoPermissions",
            [425] = "Revoked",
            [450] = "InvalidToken",
            [460] = "CertificateError",
            [470] = "DeceasedPersonCredentials",
            [480] = "Blocked",
            [500] = "UnknownError",
            [550] = "CancelledBySystem",
        },
    };

    /// <summary>English member names for the other status tables of the official spec.</summary>
    private static readonly Dictionary<string, Dictionary<int, string>> OtherStatusMembers = new(StringComparer.Ordinal)
    {
        ["CertificateEnrollmentStatusCode"] = new()
        {
            [100] = "Accepted",
            [200] = "Completed",
            [400] = "Rejected",
            [500] = "UnknownError",
            [550] = "CancelledBySystem",
        },
        ["InvoiceExportStatusCode"] = new()
        {
            [100] = "InProgress",
            [200] = "Succeeded",
            [210] = "Expired",
            [415] = "KeyDecryptionFailed",
            [420] = "DateRangeUnavailable",
            [500] = "UnknownError",
            [550] = "CancelledBySystem",
        },
        ["PermissionsOperationStatusCode"] = new()
        {
            [100] = "Accepted",
            [200] = "Succeeded",
            [400] = "Failed",
            [410] = "IdentifiersMismatch",
            [420] = "CredentialsNotPermitted",
            [430] = "ContextRoleMismatch",
            [440] = "NotAllowedForRelation",
            [450] = "NotAllowedForIdentifier",
            [500] = "UnknownError",
            [550] = "CancelledBySystem",
        },
    };

    /// <summary>The English member name of a code in a status-code type, when KsefGen knows one.</summary>
    public static string? StatusMember(string typeName, int code) =>
        (StatusMembers.TryGetValue(typeName, out var members) || OtherStatusMembers.TryGetValue(typeName, out members))
        && members.TryGetValue(code, out var name) ? name : null;

    /// <summary>Frequent Polish status descriptions (lower case, no diacritics) → English member names.</summary>
    public static readonly Dictionary<string, string> StatusPhrases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sukces"] = "Succeeded",
        ["trwa przetwarzanie"] = "Processing",
        ["nieznany blad"] = "UnknownError",
        ["operacja zostala anulowana przez system"] = "CancelledBySystem",
        ["operacja w toku"] = "InProgress",
        ["operacja zakonczona sukcesem"] = "Succeeded",
        ["zadanie w trakcie przetwarzania"] = "InProgress",
        ["zadanie zakonczone sukcesem"] = "Succeeded",
        ["wniosek przyjety do realizacji"] = "Accepted",
        ["eksport zakonczony sukcesem"] = "Succeeded",
        ["eksport w toku"] = "InProgress",
    };
}
