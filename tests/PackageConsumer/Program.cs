using System.Reflection;
using System.Text.Json;
using Erp.Integration.Ksef;

// Everything below is generated at compile time from the spec the build was given.
using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/v2/") };
var client = new Ksef(http);
var operations = typeof(Ksef).Assembly.GetTypes()
    .Where(t => t.Namespace == "Erp.Integration.Ksef" && t.Name.EndsWith("Client", StringComparison.Ordinal))
    .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
    .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && !m.Name.EndsWith("StreamAsync", StringComparison.Ordinal))
    .ToList();
// Paged lists also get Enumerate…Async (items) and …PagesAsync (pages), both IAsyncEnumerable.
var paged = operations.Count(m => m.Name.StartsWith("Enumerate", StringComparison.Ordinal) && m.ReturnType.IsGenericType
    && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>));
var plain = operations.Count(m => !(m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)));

var status = JsonSerializer.Deserialize(
    """{ "status": { "code": 200, "description": "ok" }, "dateCreated": "2026-11-22T10:00:00Z", "dateUpdated": "2026-11-22T10:05:00Z" }""",
    KsefJsonContext.Default.SessionStatusResponse)!;

Console.WriteLine($"operations={plain} paged={paged} session={status.StatusCode} terminal={status.StatusCode.IsTerminal} duplicate={InvoiceStatusCode.Duplicate.Value} client={client.SessionStatus.GetType().Name}");
