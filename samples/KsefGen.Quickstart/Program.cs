using System.Reflection;
using System.Text.Json;
using Quickstart.Ksef;

// What the generator made from the spec: every client and its operations, and the status-code types.
Console.WriteLine($"KsefGen quickstart: client generated at compile time (default server {KsefClient.DefaultServerUrl})");
Console.WriteLine();
foreach (var property in typeof(KsefClient).GetProperties().Where(p => p.PropertyType != typeof(HttpClient) && p.PropertyType.Name.EndsWith("Client", StringComparison.Ordinal)))
{
    var methods = property.PropertyType.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal))
        .OrderBy(m => m.Name, StringComparer.Ordinal);
    Console.WriteLine($"client.{property.Name} ({property.PropertyType.Name})");
    foreach (var method in methods)
    {
        var parameters = string.Join(", ", method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.Name));
        Console.WriteLine($"    {method.Name}({parameters})");
    }
}

Console.WriteLine();
Console.WriteLine("Invoice status codes (from the Markdown table in the spec):");
foreach (var code in InvoiceStatusCode.KnownCodes)
{
    var state = code.IsInProgress ? "in progress" : code.IsSuccess ? "success" : "failure";
    Console.WriteLine($"    {code,-38} {state,-12} {code.Description}");
}

// A status as the server sends it, with a code and a value this spec version does not know.
var json = """{ "ordinalNumber": 1, "referenceNumber": "20251122-EE-1A2B3C4D5E-6F7A8B9C0D-11", "invoiceHash": "AQID", "invoicingDate": "2026-11-22T10:00:00Z", "invoicingMode": "SomethingNew", "status": { "code": 440, "description": "Duplicate", "extensions": { "originalKsefNumber": "5265877635-20250826-0100001AF629-AF" } } }""";
var invoice = JsonSerializer.Deserialize(json, KsefJsonContext.Default.SessionInvoiceStatusResponse)!;
Console.WriteLine();
Console.WriteLine($"Parsed an invoice status: {invoice.StatusCode}, original KSeF number {invoice.Status.OriginalKsefNumber}, mode '{invoice.InvoicingMode}' (known: {invoice.InvoicingMode?.IsKnown})");
