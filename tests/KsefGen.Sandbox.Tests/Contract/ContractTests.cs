using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>
/// A sandbox of its own (it moves the clock for expired tokens, and uses small UPO pages so a session UPO has several),
/// driven once through <see cref="ContractDriver"/> with every exchange recorded.
/// </summary>
public sealed class ContractRun : IAsyncLifetime
{
    /// <summary>The sandbox under test.</summary>
    public SandboxFixture Sandbox { get; } = new() { UpoPageSize = 1000 };

    /// <summary>Every exchange the driver had.</summary>
    public ExchangeLog Log { get; } = new();

    /// <summary>The validator over the newest official spec; null when the spec folder is absent.</summary>
    public ContractValidator? Validator { get; private set; }

    /// <summary>Why the tests skip, when they do.</summary>
    public string SkipReason { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        if (!OfficialContract.IsAvailable(out var reason))
        {
            SkipReason = reason;
            return;
        }
        Validator = await OfficialContract.LoadAsync();
        await Sandbox.InitializeAsync();
        await new ContractDriver(Sandbox, Log).RunAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await Sandbox.DisposeAsync();
}

/// <summary>Every response the sandbox gives under the API base path keeps the contract of the newest official KSeF spec.</summary>
public sealed class ContractTests(ContractRun run) : IClassFixture<ContractRun>
{
    /// <summary>The response shapes every route of the sandbox has, where the spec declares them for the operation.</summary>
    private static readonly (string Status, string? MediaType)[] ExpectedShapes =
    [
        ("2XX", null),
        ("400", "application/json"),
        ("400", "application/problem+json"),
        ("401", "application/problem+json"),
    ];

    [Fact]
    public void EverySandboxResponseMatchesTheNewestOfficialSpec()
    {
        var validator = Require();
        var checkedExchanges = run.Log.Exchanges
            .Select(e => (Exchange: e, Result: validator.Validate(e)))
            .Where(c => c.Result is not null)
            .Select(c => (c.Exchange, Result: c.Result!))
            .ToList();

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{Path.GetFileName(validator.Source)}: {checkedExchanges.Count} exchanges checked "
            + $"({run.Log.Exchanges.Count - checkedExchanges.Count} outside {validator.BasePath}, not part of the contract).");
        foreach (var operation in checkedExchanges.GroupBy(c => c.Result.Operation?.Key ?? "(no operation)").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var shapes = operation.GroupBy(c => $"{c.Exchange.StatusCode} {MediaType(c.Exchange)}")
                .OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => $"{s.Key} x{s.Count()}");
            output?.WriteLine($"  {operation.Key}: {operation.Count()} ({string.Join(", ", shapes)})");
        }

        var failures = checkedExchanges.Where(c => !c.Result.IsValid).ToList();
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {checkedExchanges.Count} responses break the contract of {Path.GetFileName(validator.Source)}:\n"
            + string.Join("\n", failures.Take(30).Select(f => $"{f.Exchange}\n    {string.Join("\n    ", f.Result.Violations.Take(10))}")));
        Assert.NotEmpty(checkedExchanges);
    }

    [Fact]
    public void EveryRouteTheSandboxMapsUnderTheApiBaseIsASpecOperationTheDriverCoversInEveryShape()
    {
        var validator = Require();
        var seen = run.Log.Exchanges
            .Select(e => (Exchange: e, Operation: validator.Validate(e)?.Operation))
            .Where(x => x.Operation is not null)
            .GroupBy(x => x.Operation!.Key)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Exchange).ToList());

        var routes = SandboxRoutes(validator.BasePath);
        Assert.NotEmpty(routes);
        var problems = new List<string>();
        foreach (var (method, template) in routes)
        {
            var operation = validator.FindOperationByTemplate(method, template);
            if (operation is null)
            {
                problems.Add($"{method} {validator.BasePath}{template}: mapped by the sandbox, but not an operation of {Path.GetFileName(validator.Source)}");
                continue;
            }
            var exchanges = seen.GetValueOrDefault(operation.Key) ?? [];
            foreach (var (status, mediaType) in ExpectedShapes.Where(s => Declares(operation, s.Status, s.MediaType)))
            {
                if (status == "400" && InputFree.Contains(operation.Key)) continue;
                if (!exchanges.Any(e => Fits(e, status, mediaType)))
                {
                    problems.Add($"{operation.Key}: the contract driver never got a {status} {mediaType} response (add the call to ContractDriver)");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>
    /// Operations that take no input but, at most, the token (no parameters, no body) and have no state that could make
    /// a request wrong: the spec declares a 400 for them, as for every operation, but nothing a client sends can be
    /// rejected (a missing or bad token is a 401), so the sandbox never answers them with one. Most of their 400 tables
    /// are empty; the two that list 21405 (DELETE /auth/sessions/current, POST /testdata/rate-limits/production) have
    /// no input to validate. (POST /auth/token/redeem and /refresh take no input either, but do give 400s: the state of
    /// the authentication makes a request wrong, so the driver covers them.)
    /// </summary>
    private static readonly HashSet<string> InputFree = new(StringComparer.Ordinal)
    {
        "POST /auth/challenge",
        "GET /security/public-key-certificates",
        "DELETE /auth/sessions/current",
        "GET /limits/context",
        "GET /limits/subject",
        "GET /rate-limits",
        "GET /certificates/limits",
        "GET /permissions/attachments/status",
        "DELETE /testdata/limits/context/session",
        "DELETE /testdata/limits/subject/certificate",
        "DELETE /testdata/rate-limits",
        "POST /testdata/rate-limits/production",
    };

    /// <summary>
    /// 400 codes the sandbox sends that the operation's own table does not list, kept on purpose because the official
    /// tables contradict each other: every operation below takes the same session reference as its siblings
    /// GET /sessions/{referenceNumber}, .../invoices and .../upo/{upoReferenceNumber}, whose tables list 21173 (no such
    /// session), and the UPO-by-invoice-reference lookup fails the same way as the UPO-by-KSeF-number one, whose table
    /// lists 21178 (no UPO). The sandbox answers the same condition with the same code on every route.
    /// </summary>
    private static readonly Dictionary<string, int[]> UndocumentedButConsistentCodes = new(StringComparer.Ordinal)
    {
        ["GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}"] = [21173],
        ["GET /sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo"] = [21173],
        ["GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo"] = [21173, 21178],
    };

    [Fact]
    public void EveryErrorCodeTheSandboxSendsIsDocumentedForItsOperation()
    {
        var validator = Require();
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        var checkedCodes = 0;
        foreach (var exchange in run.Log.Exchanges.Where(e => e.StatusCode == 400))
        {
            var operation = validator.Validate(exchange)?.Operation;
            if (operation is null) continue;
            var documented = ContractValidator.DocumentedErrorCodes(operation, "400");
            Assert.NotEmpty(documented);
            foreach (var code in ErrorCodes(exchange.Body))
            {
                checkedCodes++;
                if (documented.Contains(code)) continue;
                if (UndocumentedButConsistentCodes.TryGetValue(operation.Key, out var allowed) && allowed.Contains(code)) continue;
                problems.Add($"{operation.Key}: {code} is not in its 400 table ({string.Join(", ", documented.Order())})");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedCodes > 0, "no 400 carried an error code");
    }

    /// <summary>The error codes of a 400 body in either shape: exception.exceptionDetailList[].exceptionCode or errors[].code.</summary>
    private static IEnumerable<int> ErrorCodes(byte[] body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var root = document.RootElement;
        var list = root.TryGetProperty("exception", out var exception) && exception.TryGetProperty("exceptionDetailList", out var details) ? details
            : root.TryGetProperty("errors", out var errors) ? errors
            : default;
        if (list.ValueKind != System.Text.Json.JsonValueKind.Array) return [];
        return list.EnumerateArray()
            .Select(e => e.TryGetProperty("exceptionCode", out var code) || e.TryGetProperty("code", out code) ? code.GetInt32() : 0)
            .ToList();
    }

    private ContractValidator Require()
    {
        Assert.SkipWhen(run.Validator is null, run.SkipReason);
        return run.Validator!;
    }

    /// <summary>(method, template relative to the base) of every endpoint the sandbox maps under the API base path.</summary>
    private List<(string Method, string Template)> SandboxRoutes(string basePath) =>
        run.Sandbox.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Pattern: "/" + (e.RoutePattern.RawText ?? "").Trim('/'), Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(r => r.Pattern.StartsWith(basePath + "/", StringComparison.Ordinal))
            .SelectMany(r => r.Methods.Select(m => (m, r.Pattern[basePath.Length..])))
            .ToList();

    private static bool Declares(SpecOperation operation, string status, string? mediaType)
    {
        var responses = operation.Operation.ActualResponses;
        if (status == "2XX") return responses.Keys.Any(k => k.StartsWith('2'));
        return responses.TryGetValue(status, out var response) && (mediaType is null || response.ActualResponse.Content.ContainsKey(mediaType));
    }

    private static bool Fits(RecordedExchange exchange, string status, string? mediaType) =>
        (status == "2XX" ? exchange.StatusCode is >= 200 and < 300 : exchange.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) == status)
        && (mediaType is null || string.Equals(MediaType(exchange), mediaType, StringComparison.OrdinalIgnoreCase));

    private static string? MediaType(RecordedExchange exchange) =>
        exchange.ContentType is { } value && MediaTypeHeaderValue.TryParse(value, out var parsed) ? parsed.MediaType : null;
}
