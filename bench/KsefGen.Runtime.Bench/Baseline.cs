using System.Text.Json;
using System.Text.Json.Serialization;

namespace KsefGen.Runtime.Bench;

/// <summary>
/// The plain baseline: the pages fetched in a hand-written HttpClient loop and deserialized with System.Text.Json's
/// source generator into DTOs with the same members and member types as the generated model (so both paths decode the
/// same base64 hash, dates and URL of every invoice).
/// </summary>
internal static class Baseline
{
    public static async Task<Tally> EnumerateAsync(HttpClient http, string referenceNumber, int pageSize, CancellationToken cancellationToken)
    {
        var path = $"sessions/{Uri.EscapeDataString(referenceNumber)}/invoices?pageSize={pageSize}";
        var tally = new Tally();
        string? token = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (token is not null) request.Headers.TryAddWithoutValidation("x-continuation-token", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var page = await JsonSerializer.DeserializeAsync(stream, PlainJsonContext.Default.PlainPage, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("A page without a body.");
                foreach (var invoice in page.Invoices) tally.Add(invoice.OrdinalNumber, invoice.Status.Code, invoice.InvoiceHash.Length);
                token = page.ContinuationToken;
            }
        }
        while (!string.IsNullOrEmpty(token));
        return tally;
    }

    /// <summary>
    /// The transport floor, for reference: every page fetched and copied into one reused buffer; only the continuation
    /// token is parsed, no invoice is materialized (the sandbox's own work and allocations, the HTTP stack's, nothing else).
    /// </summary>
    public static async Task<Tally> FetchOnlyAsync(HttpClient http, string referenceNumber, int pageSize, CancellationToken cancellationToken)
    {
        var path = $"sessions/{Uri.EscapeDataString(referenceNumber)}/invoices?pageSize={pageSize}";
        var tally = new Tally();
        using var buffer = new MemoryStream();
        string? token = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (token is not null) request.Headers.TryAddWithoutValidation("x-continuation-token", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            buffer.SetLength(0);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            token = TopLevelContinuationToken(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            tally.AddPage();
        }
        while (!string.IsNullOrEmpty(token));
        return tally;
    }

    private static string? TopLevelContinuationToken(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("continuationToken"u8))
            {
                reader.Read();
                return reader.GetString();
            }
            reader.Read();
            reader.Skip();
        }
        return null;
    }
}

/// <summary>What an enumeration saw: the items, checked to arrive as ordinals 1, 2, 3..., and a checksum over them.</summary>
internal sealed class Tally
{
    public long Items { get; private set; }
    public long Pages { get; private set; }
    public long Checksum { get; private set; }

    public void Add(int ordinalNumber, int statusCode, int hashLength)
    {
        Items++;
        if (ordinalNumber != Items) throw new InvalidOperationException($"Item {Items} has ordinal number {ordinalNumber}.");
        Checksum += statusCode + hashLength;
    }

    public void AddPage() => Pages++;
}

internal sealed class PlainPage
{
    public string? ContinuationToken { get; set; }
    public required List<PlainInvoiceStatus> Invoices { get; set; }
}

internal sealed class PlainInvoiceStatus
{
    public required int OrdinalNumber { get; set; }
    public string? InvoiceNumber { get; set; }
    public string? KsefNumber { get; set; }
    public required string ReferenceNumber { get; set; }
    public required byte[] InvoiceHash { get; set; }
    public string? InvoiceFileName { get; set; }
    public DateTimeOffset? AcquisitionDate { get; set; }
    public required DateTimeOffset InvoicingDate { get; set; }
    public DateTimeOffset? PermanentStorageDate { get; set; }
    public Uri? UpoDownloadUrl { get; set; }
    public DateTimeOffset? UpoDownloadUrlExpirationDate { get; set; }
    public string? InvoicingMode { get; set; }
    public required PlainStatus Status { get; set; }
}

internal sealed class PlainStatus
{
    public required int Code { get; set; }
    public required string Description { get; set; }
    public List<string>? Details { get; set; }
    public Dictionary<string, string?>? Extensions { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PlainPage))]
internal sealed partial class PlainJsonContext : JsonSerializerContext;
