using System;
using System.Collections.Generic;

namespace KsefGen.Generator.Reading;

/// <summary>
/// Built-in English names for the official KSeF surface. These are defaults: a naming file beside the spec
/// overrides any of them, and anything not listed here gets a name derived from the spec.
/// </summary>
internal static class KnownNames
{
    /// <summary>Official (Polish) tag → client base name. Renamed tags keep the same client.</summary>
    public static readonly Dictionary<string, string> Tags = new(StringComparer.OrdinalIgnoreCase)
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

    /// <summary>
    /// Operation key ("METHOD /path" with the base path removed and every parameter written as {}) → method name
    /// without the Async suffix. The eight status/UPO names are the ones the official .NET SDK uses.
    /// </summary>
    public static readonly Dictionary<string, string> Operations = new(StringComparer.Ordinal)
    {
        ["GET /sessions"] = "GetSessions",
        ["GET /sessions/{}"] = "GetSessionStatus",
        ["GET /sessions/{}/invoices"] = "GetSessionInvoices",
        ["GET /sessions/{}/invoices/{}"] = "GetSessionInvoice",
        ["GET /sessions/{}/invoices/failed"] = "GetSessionFailedInvoices",
        ["GET /sessions/{}/invoices/{}/upo"] = "GetSessionInvoiceUpoByReferenceNumber",
        ["GET /sessions/{}/invoices/ksef/{}/upo"] = "GetSessionInvoiceUpoByKsefNumber",
        ["GET /sessions/{}/upo/{}"] = "GetSessionUpo",
        ["POST /auth/challenge"] = "GetAuthChallenge",
        ["POST /auth/xades-signature"] = "SubmitXadesAuthRequest",
        ["POST /auth/ksef-token"] = "SubmitKsefTokenAuthRequest",
        ["GET /auth/{}"] = "GetAuthStatus",
        ["POST /auth/token/redeem"] = "RedeemToken",
        ["POST /auth/token/refresh"] = "RefreshAccessToken",
        ["POST /sessions/online"] = "OpenOnlineSession",
        ["POST /sessions/online/{}/invoices"] = "SendOnlineSessionInvoice",
        ["POST /sessions/online/{}/close"] = "CloseOnlineSession",
        ["POST /sessions/batch"] = "OpenBatchSession",
        ["POST /sessions/batch/{}/close"] = "CloseBatchSession",
        ["GET /security/public-key-certificates"] = "GetPublicKeyCertificates",
        ["GET /auth/sessions"] = "GetActiveSessions",
        ["DELETE /auth/sessions/current"] = "RevokeCurrentSession",
        ["DELETE /auth/sessions/{}"] = "RevokeSession",
        ["GET /invoices/ksef/{}"] = "GetInvoice",
        ["POST /invoices/query/metadata"] = "QueryInvoiceMetadata",
        ["POST /invoices/exports"] = "ExportInvoices",
        ["GET /invoices/exports/{}"] = "GetInvoiceExportStatus",
        ["POST /tokens"] = "GenerateToken",
        ["GET /tokens"] = "GetTokens",
        ["GET /tokens/{}"] = "GetToken",
        ["DELETE /tokens/{}"] = "RevokeToken",
        ["GET /certificates/limits"] = "GetCertificateLimits",
        ["GET /limits/context"] = "GetContextLimits",
        ["GET /limits/subject"] = "GetSubjectLimits",
        ["POST /testdata/limits/context/session"] = "SetSessionLimits",
        ["DELETE /testdata/limits/context/session"] = "RestoreDefaultSessionLimits",
        ["POST /testdata/limits/subject/certificate"] = "SetCertificateLimits",
        ["DELETE /testdata/limits/subject/certificate"] = "RestoreDefaultCertificateLimits",
        ["POST /testdata/rate-limits"] = "SetRateLimits",
        ["DELETE /testdata/rate-limits"] = "RestoreDefaultRateLimits",
        ["POST /testdata/rate-limits/production"] = "SetProductionRateLimits",
        ["POST /testdata/subject"] = "CreateSubject",
        ["POST /testdata/subject/remove"] = "RemoveSubject",
        ["POST /testdata/person"] = "CreatePerson",
        ["POST /testdata/person/remove"] = "RemovePerson",
        ["POST /testdata/permissions"] = "GrantPermissions",
        ["POST /testdata/permissions/revoke"] = "RevokePermissions",
        ["POST /testdata/attachment"] = "EnableAttachments",
        ["POST /testdata/attachment/revoke"] = "DisableAttachments",
        ["POST /testdata/context/block"] = "BlockContextAuthentication",
        ["POST /testdata/context/unblock"] = "UnblockContextAuthentication",
        ["POST /permissions/persons/grants"] = "GrantPersonPermissions",
        ["POST /permissions/entities/grants"] = "GrantEntityPermissions",
        ["DELETE /permissions/common/grants/{}"] = "RevokePermission",
        ["GET /permissions/operations/{}"] = "GetPermissionOperationStatus",
        ["GET /permissions/attachments/status"] = "GetAttachmentPermissionStatus",
        ["POST /permissions/query/persons/grants"] = "QueryPersonPermissions",
        ["POST /permissions/query/personal/grants"] = "QueryPersonalPermissions",
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
