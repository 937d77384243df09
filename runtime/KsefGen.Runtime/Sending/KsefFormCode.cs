namespace KsefGen.Runtime.Sending;

/// <summary>
/// The schema of the invoices in a session (<c>formCode</c>): free strings in the API, with the supported triples listed
/// in the docs. The common ones are here; any other triple can be built.
/// </summary>
/// <param name="SystemCode">e.g. <c>FA (3)</c>.</param>
/// <param name="SchemaVersion">e.g. <c>1-0E</c>.</param>
/// <param name="Value">e.g. <c>FA</c>.</param>
public sealed record KsefFormCode(string SystemCode, string SchemaVersion, string Value)
{
    /// <summary>FA(3), the structured VAT invoice from 1 February 2026 (online and batch).</summary>
    public static KsefFormCode Fa3 { get; } = new("FA (3)", "1-0E", "FA");

    /// <summary>FA(2), the previous VAT invoice schema.</summary>
    public static KsefFormCode Fa2 { get; } = new("FA (2)", "1-0E", "FA");

    /// <summary>FA_RR(1), the VAT RR invoice (flat-rate farmers).</summary>
    public static KsefFormCode FaRr1 { get; } = new("FA_RR (1)", "1-1E", "FA_RR");

    /// <summary>PEF(3), a Peppol invoice (online only).</summary>
    public static KsefFormCode Pef3 { get; } = new("PEF (3)", "2-1", "PEF");

    /// <summary>PEF_KOR(3), a Peppol correction (online only).</summary>
    public static KsefFormCode PefKor3 { get; } = new("PEF_KOR (3)", "2-1", "PEF");

    /// <inheritdoc />
    public override string ToString() => $"{SystemCode} {SchemaVersion} {Value}";
}
