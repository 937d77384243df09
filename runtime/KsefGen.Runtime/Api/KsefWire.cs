using System.Text.Json;
using System.Text.Json.Serialization;

namespace KsefGen.Runtime.Api;

// The wire shapes of the operations the runtime calls itself (authentication, public keys, sending, session status),
// as the official spec spells them. Internal: callers see the runtime's own types; the generated client has the full set.
#pragma warning disable CS1591 // internal wire records: the spec documents the fields

internal sealed record WireToken(string Token, DateTimeOffset ValidUntil);

internal sealed record WireChallenge(string Challenge, DateTimeOffset Timestamp, long TimestampMs, string? ClientIp);

internal sealed record WireContextIdentifier(string Type, string Value);

internal sealed record WireAllowedIps(IReadOnlyList<string>? Ip4Addresses, IReadOnlyList<string>? Ip4Ranges, IReadOnlyList<string>? Ip4Masks);

internal sealed record WireAuthorizationPolicy(WireAllowedIps AllowedIps);

internal sealed record WireKsefTokenRequest(string Challenge, WireContextIdentifier ContextIdentifier, byte[] EncryptedToken, byte[]? PublicKeyId, WireAuthorizationPolicy? AuthorizationPolicy);

internal sealed record WireAuthInit(string ReferenceNumber, WireToken AuthenticationToken);

internal sealed record WireStatus(int Code, string? Description, IReadOnlyList<string>? Details, IReadOnlyDictionary<string, string?>? Extensions);

internal sealed record WireAuthStatus(DateTimeOffset StartDate, WireStatus Status);

internal sealed record WireTokens(WireToken AccessToken, WireToken RefreshToken);

internal sealed record WirePublicKeyCertificate(byte[] Certificate, byte[]? CertificateId, byte[]? PublicKeyId, DateTimeOffset ValidFrom, DateTimeOffset ValidTo, IReadOnlyList<string> Usage);

internal sealed record WireFormCode(string SystemCode, string SchemaVersion, string Value);

internal sealed record WireEncryption(byte[] EncryptedSymmetricKey, byte[] InitializationVector, byte[]? PublicKeyId);

internal sealed record WireOpenOnline(WireFormCode FormCode, WireEncryption Encryption);

internal sealed record WireOpened(string ReferenceNumber, DateTimeOffset? ValidUntil);

internal sealed record WireSendInvoice(
    byte[] InvoiceHash,
    long InvoiceSize,
    byte[] EncryptedInvoiceHash,
    long EncryptedInvoiceSize,
    byte[] EncryptedInvoiceContent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool OfflineMode,
    byte[]? HashOfCorrectedInvoice);

internal sealed record WireReference(string ReferenceNumber);

internal sealed record WireBatchPart(int OrdinalNumber, long FileSize, byte[] FileHash);

internal sealed record WireBatchFile(long FileSize, byte[] FileHash, IReadOnlyList<WireBatchPart> FileParts, string? CompressionType);

internal sealed record WireOpenBatch(
    WireFormCode FormCode,
    WireBatchFile BatchFile,
    WireEncryption Encryption,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool OfflineMode);

internal sealed record WirePartUpload(int OrdinalNumber, string Method, Uri Url, IReadOnlyDictionary<string, string?>? Headers);

internal sealed record WireOpenedBatch(string ReferenceNumber, IReadOnlyList<WirePartUpload> PartUploadRequests);

internal sealed record WireUpoPage(string ReferenceNumber, Uri DownloadUrl, DateTimeOffset? DownloadUrlExpirationDate);

internal sealed record WireUpo(IReadOnlyList<WireUpoPage>? Pages);

internal sealed record WireSessionStatus(
    WireStatus Status,
    DateTimeOffset? DateCreated,
    DateTimeOffset? DateUpdated,
    DateTimeOffset? ValidUntil,
    WireUpo? Upo,
    int? InvoiceCount,
    int? SuccessfulInvoiceCount,
    int? FailedInvoiceCount);

internal sealed record WireSessionInvoice(
    string ReferenceNumber,
    int? OrdinalNumber,
    string? InvoiceNumber,
    string? KsefNumber,
    byte[]? InvoiceHash,
    string? InvoiceFileName,
    DateTimeOffset? AcquisitionDate,
    DateTimeOffset? InvoicingDate,
    Uri? UpoDownloadUrl,
    DateTimeOffset? UpoDownloadUrlExpirationDate,
    string? InvoicingMode,
    WireStatus Status);

internal sealed record WireSessionInvoices(string? ContinuationToken, IReadOnlyList<WireSessionInvoice> Invoices);

internal sealed record WireSessionsItem(
    string ReferenceNumber,
    WireStatus Status,
    DateTimeOffset? DateCreated,
    DateTimeOffset? DateUpdated,
    DateTimeOffset? ValidUntil,
    int? TotalInvoiceCount,
    int? SuccessfulInvoiceCount,
    int? FailedInvoiceCount);

internal sealed record WireSessions(string? ContinuationToken, IReadOnlyList<WireSessionsItem> Sessions);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WireChallenge))]
[JsonSerializable(typeof(WireKsefTokenRequest))]
[JsonSerializable(typeof(WireAuthInit))]
[JsonSerializable(typeof(WireAuthStatus))]
[JsonSerializable(typeof(WireTokens))]
[JsonSerializable(typeof(List<WirePublicKeyCertificate>))]
[JsonSerializable(typeof(WireOpenOnline))]
[JsonSerializable(typeof(WireOpened))]
[JsonSerializable(typeof(WireSendInvoice))]
[JsonSerializable(typeof(WireReference))]
[JsonSerializable(typeof(WireOpenBatch))]
[JsonSerializable(typeof(WireOpenedBatch))]
[JsonSerializable(typeof(WireSessionStatus))]
[JsonSerializable(typeof(WireSessionInvoice))]
[JsonSerializable(typeof(WireSessionInvoices))]
[JsonSerializable(typeof(WireSessions))]
internal sealed partial class KsefWireJson : JsonSerializerContext;
