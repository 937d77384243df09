using System.Globalization;
using KsefGen.Sandbox.Contracts;

namespace KsefGen.Sandbox.Processing;

/// <summary>Which status table a code belongs to.</summary>
public enum StatusTable
{
    /// <summary>SessionStatusResponse.status (batch and online sub-tables).</summary>
    Session,

    /// <summary>Invoice statuses.</summary>
    Invoice,

    /// <summary>Authentication operation statuses.</summary>
    Authentication,

    /// <summary>Invoice export statuses (InvoiceExportStatusResponse.status).</summary>
    Export,
}

/// <summary>
/// The one place that turns a status code into the text KSeF sends: the description and details the spec's status
/// tables document (through the generated status-code types), the batch or online sub-table for sessions, and
/// placeholders such as "({statusCode})" filled in, never sent as they stand.
/// </summary>
public static class StatusCatalog
{
    /// <summary>The documented description of a code, or a generic one for an undocumented code.</summary>
    public static string Describe(StatusTable table, int code, bool batch = false) =>
        Fill(Variant(table, code, batch)?.Text ?? "Status " + code.ToString(CultureInfo.InvariantCulture), code);

    /// <summary>The n-th documented detail of a code (null when the table documents fewer).</summary>
    public static string? Detail(StatusTable table, int code, bool batch = false, int index = 0) =>
        Variant(table, code, batch) is { } variant && variant.Details.Count > index ? Fill(variant.Details[index], code) : null;

    private static KsefStatusDescription? Variant(StatusTable table, int code, bool batch)
    {
        var descriptions = table switch
        {
            StatusTable.Session => new SessionStatusCode(code).Descriptions,
            StatusTable.Invoice => new InvoiceStatusCode(code).Descriptions,
            StatusTable.Export => new InvoiceExportStatusCode(code).Descriptions,
            _ => new AuthenticationStatusCode(code).Descriptions,
        };
        var fitting = table == StatusTable.Session
            ? descriptions.FirstOrDefault(d => d.Scope is { } scope && scope.Contains(batch ? "atch" : "nline", StringComparison.OrdinalIgnoreCase))
            : null;
        return fitting ?? descriptions.FirstOrDefault();
    }

    private static string Fill(string text, int code) =>
        text.Replace("{statusCode}", code.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
