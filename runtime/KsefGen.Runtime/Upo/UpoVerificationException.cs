using System.Xml.Schema;

namespace KsefGen.Runtime.Upo;

/// <summary>Which check a UPO failed.</summary>
public enum UpoVerificationFailure
{
    /// <summary>The bytes are not well-formed XML (or are empty).</summary>
    MalformedXml = 1,

    /// <summary>The SHA-256 of the bytes differs from the <c>x-ms-meta-hash</c> header (or the header is not Base64 SHA-256).</summary>
    HashMismatch,

    /// <summary>The document (with its signature set aside) does not validate against the supplied schemas.</summary>
    SchemaViolation,

    /// <summary>The document carries no XML-DSig signature.</summary>
    MissingSignature,

    /// <summary>The signature does not verify (the content was changed after signing, or the signature is broken or does not cover the whole document).</summary>
    InvalidSignature,

    /// <summary>The signature verifies, but its certificate is neither pinned nor chains to a trusted root.</summary>
    UntrustedCertificate,

    /// <summary>Signed and valid XML, but not a UPO this library can read (only when no schema was supplied to catch it first).</summary>
    UnrecognisedDocument,
}

/// <summary>One schema validation error, with its position in the UPO as received.</summary>
/// <param name="Message">The validator's message.</param>
/// <param name="LineNumber">The 1-based line (0 when unknown).</param>
/// <param name="LinePosition">The 1-based column (0 when unknown).</param>
/// <param name="Severity">Error, or a warning (such as an element no supplied schema declares), which also fails validation.</param>
public sealed record UpoSchemaError(string Message, int LineNumber, int LinePosition, XmlSeverityType Severity)
{
    /// <summary>"line L, position P: message".</summary>
    public override string ToString() => $"line {LineNumber}, position {LinePosition}: {Message}";
}

/// <summary>A UPO failed verification; <see cref="Failure"/> says which check.</summary>
public sealed class UpoVerificationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Which check failed.</param>
    /// <param name="message">The explanation.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public UpoVerificationException(UpoVerificationFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Which check failed.</summary>
    public UpoVerificationFailure Failure { get; }

    /// <summary>For <see cref="UpoVerificationFailure.SchemaViolation"/>: every schema error found; otherwise empty.</summary>
    public IReadOnlyList<UpoSchemaError> SchemaErrors { get; init; } = [];

    /// <summary>The 1-based line of the (first) problem, when known.</summary>
    public int? LineNumber { get; init; }

    /// <summary>The 1-based column of the (first) problem, when known.</summary>
    public int? LinePosition { get; init; }
}
