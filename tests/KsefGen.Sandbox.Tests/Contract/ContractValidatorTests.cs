using System.Net.Http.Headers;
using System.Text;
using Newtonsoft.Json.Linq;
using NJsonSchema;

namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>
/// The validator itself: real sandbox bodies pass, the same bodies broken in one place fail at that place, values
/// the spec allows (null where nullable, absent optionals) pass, and the whole-response rules (operation, status,
/// content type, headers, XML) hold.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ContractValidatorTests(SandboxFixture sandbox)
{
    private const string InvoiceOperation = "GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}";
    private const string StatusOperation = "GET /sessions/{referenceNumber}";
    private const string ListOperation = "GET /sessions";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Nip => sandbox.Store.Contexts[0].Nip;

    private async Task<JObject> RealBodyAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await sandbox.AccessTokenAsync(Nip));
        using var response = await sandbox.Http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        return JObject.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A served 440 duplicate: nullable fields, a dictionary of extensions, a Base64 hash, dates, an enum.</summary>
    private async Task<JObject> DuplicateInvoiceAsync()
    {
        var session = sandbox.Store.SessionsOf(Nip).First(s => s.Invoices.Any(i => i.Status == 440));
        var body = await RealBodyAsync($"sessions/{session.ReferenceNumber}/invoices/{session.Invoices.First(i => i.Status == 440).ReferenceNumber}");
        Assert.NotNull(body.SelectToken("status.extensions.originalKsefNumber"));
        return body;
    }

    private async Task<JObject> AcceptedSessionStatusAsync() =>
        await RealBodyAsync($"sessions/{sandbox.Store.SessionsOf(Nip).First(s => s.Status == 200).ReferenceNumber}");

    private static async Task<(ContractValidator Validator, JsonSchema Schema)> SchemaAsync(string operation)
    {
        var validator = await OfficialContract.RequireAsync();
        return (validator, validator.ResponseSchema(operation, "200", "application/json"));
    }

    private static void Apply(JObject body, string path, string action, string? json)
    {
        var dot = path.LastIndexOf('.');
        var parent = (JObject)(dot < 0 ? body : body.SelectToken(path[..dot])!);
        var name = dot < 0 ? path : path[(dot + 1)..];
        if (action == "remove") Assert.True(parent.Remove(name), $"{path} was not in the real body");
        else parent[name] = JToken.Parse(json!);
    }

    [Fact]
    public async Task RealBodiesOfEveryKindValidate()
    {
        var (validator, invoice) = await SchemaAsync(InvoiceOperation);
        Assert.Empty(validator.ValidateJson(invoice, (await DuplicateInvoiceAsync()).ToString()));
        Assert.Empty(validator.ValidateJson(validator.ResponseSchema(StatusOperation, "200", "application/json"), (await AcceptedSessionStatusAsync()).ToString()));
        Assert.Empty(validator.ValidateJson(validator.ResponseSchema(ListOperation, "200", "application/json"), (await RealBodyAsync("sessions?sessionType=Batch&pageSize=100")).ToString()));
    }

    [Theory]
    [InlineData("invoiceHash", "remove", null, "$.invoiceHash", "PropertyRequired")]
    [InlineData("status.description", "remove", null, "$.status.description", "PropertyRequired")]
    [InlineData("ordinalNumber", "set", "\"1\"", "$.ordinalNumber", "IntegerExpected")]
    [InlineData("ordinalNumber", "set", "1.5", "$.ordinalNumber", "IntegerExpected")]
    [InlineData("ordinalNumber", "set", "0", "$.ordinalNumber", "NumberTooSmall")]
    [InlineData("ordinalNumber", "set", "3000000000", "$.ordinalNumber", "IntegerOutOfFormatRange")]
    [InlineData("invoicingMode", "set", "\"Sometimes\"", "$.invoicingMode", "NotInEnumeration")]
    [InlineData("invoicingDate", "set", "\"2026-11-02\"", "$.invoicingDate", "DateTimeExpected")]
    [InlineData("invoicingDate", "set", "\"2026-11-02T08:00:00\"", "$.invoicingDate", "DateTimeExpected")]
    [InlineData("invoicingDate", "set", "\"2026-02-30T08:00:00Z\"", "$.invoicingDate", "DateTimeExpected")]
    [InlineData("invoicingDate", "set", "\"2026\"", "$.invoicingDate", "DateTimeExpected")]
    [InlineData("invoicingDate", "set", "null", "$.invoicingDate", "StringExpected")]
    [InlineData("referenceNumber", "set", "null", "$.referenceNumber", "StringExpected")]
    [InlineData("referenceNumber", "set", "\"20261102-EE-00\"", "$.referenceNumber", "StringTooShort")]
    [InlineData("invoiceHash", "set", "\"!!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"", "$.invoiceHash", "Base64Expected")]
    [InlineData("ksefNumber", "set", "\"1234567890-20261102-NOTHEX-NOTHEX-ZZ\"", "$.ksefNumber", "PatternMismatch")]
    [InlineData("status.code", "set", "\"440\"", "$.status.code", "IntegerExpected")]
    [InlineData("status.details", "set", "\"one detail\"", "$.status.details", "ArrayExpected")]
    [InlineData("status.extensions.originalKsefNumber", "set", "5", "$.status.extensions.originalKsefNumber", "StringExpected")]
    [InlineData("invoiceStatus", "set", "1", "$.invoiceStatus", "UndeclaredProperty")]
    [InlineData("status.reason", "set", "\"x\"", "$.status.reason", "UndeclaredProperty")]
    public async Task ABrokenInvoiceBodyFailsWhereItIsBroken(string path, string action, string? json, string expectedPath, string expectedKind)
    {
        var (validator, schema) = await SchemaAsync(InvoiceOperation);
        var body = await DuplicateInvoiceAsync();
        Apply(body, path, action, json);
        var violations = validator.ValidateJson(schema, body.ToString());
        Assert.Contains(violations, v => v.Path == expectedPath && v.Kind == expectedKind);
    }

    [Theory]
    [InlineData("upo", "set", "{}", "$.upo.pages", "PropertyRequired")]
    [InlineData("upo.pages", "set", "[{\"referenceNumber\":\"20261102-EU-0000000000-0000000000-00\",\"downloadUrl\":\"not a url\",\"downloadUrlExpirationDate\":\"2026-11-02T08:00:00Z\"}]", "$.upo.pages[0].downloadUrl", "UriExpected")]
    [InlineData("invoiceCount", "set", "-1", "$.invoiceCount", "NumberTooSmall")]
    [InlineData("dateUpdated", "remove", null, "$.dateUpdated", "PropertyRequired")]
    public async Task ABrokenSessionStatusFailsWhereItIsBroken(string path, string action, string? json, string expectedPath, string expectedKind)
    {
        var (validator, schema) = await SchemaAsync(StatusOperation);
        var body = await AcceptedSessionStatusAsync();
        Apply(body, path, action, json);
        Assert.Contains(validator.ValidateJson(schema, body.ToString()), v => v.Path == expectedPath && v.Kind == expectedKind);
    }

    [Fact]
    public async Task AnArrayItemIsReportedAtItsIndex()
    {
        var (validator, schema) = await SchemaAsync(ListOperation);
        var body = await RealBodyAsync("sessions?sessionType=Batch&pageSize=100");
        body.SelectToken("sessions[3].status")!["code"] = "x";
        ((JObject)body.SelectToken("sessions[5]")!).Remove("dateCreated");
        var violations = validator.ValidateJson(schema, body.ToString());
        Assert.Contains(violations, v => v.Path == "$.sessions[3].status.code" && v.Kind == "IntegerExpected");
        Assert.Contains(violations, v => v.Path == "$.sessions[5].dateCreated" && v.Kind == "PropertyRequired");
        Assert.Equal(2, violations.Count);
    }

    [Theory]
    [InlineData("ksefNumber")]
    [InlineData("invoiceNumber")]
    [InlineData("invoiceFileName")]
    [InlineData("acquisitionDate")]
    [InlineData("permanentStorageDate")]
    [InlineData("upoDownloadUrl")]
    [InlineData("upoDownloadUrlExpirationDate")]
    [InlineData("invoicingMode")]
    [InlineData("status.details")]
    [InlineData("status.extensions")]
    [InlineData("status.extensions.originalKsefNumber")]
    public async Task NullWhereTheSpecSaysNullableIsValid(string path)
    {
        var (validator, schema) = await SchemaAsync(InvoiceOperation);
        var body = await DuplicateInvoiceAsync();
        Apply(body, path, "set", "null");
        Assert.Empty(validator.ValidateJson(schema, body.ToString()));
        // And absent, for the optional ones.
        if (!path.Contains('.', StringComparison.Ordinal) || path.StartsWith("status.", StringComparison.Ordinal))
        {
            Apply(body, path, "remove", null);
            Assert.Empty(validator.ValidateJson(schema, body.ToString()));
        }
    }

    [Theory]
    [InlineData("upo")]
    [InlineData("validUntil")]
    [InlineData("invoiceCount")]
    [InlineData("successfulInvoiceCount")]
    public async Task NullableSessionStatusFieldsMayBeNull(string path)
    {
        var (validator, schema) = await SchemaAsync(StatusOperation);
        var body = await AcceptedSessionStatusAsync();
        Apply(body, path, "set", "null");
        Assert.Empty(validator.ValidateJson(schema, body.ToString()));
    }

    [Theory]
    [InlineData("2026-11-02T08:00:00+00:00", true)]
    [InlineData("2026-11-02T08:00:00.1234567Z", true)]
    [InlineData("2026-11-02t08:00:00.123456789-01:30", true)]
    [InlineData("2024-02-29T23:59:60Z", true)]
    [InlineData("2026", false)]
    [InlineData("2026-11", false)]
    [InlineData("2026-11-02", false)]
    [InlineData("2026-11-02T08:00:00", false)]
    [InlineData("2026-11-02 08:00:00Z", false)]
    [InlineData("2025-02-29T08:00:00Z", false)]
    [InlineData("2026-11-02T24:00:00Z", false)]
    [InlineData("2026-11-02T08:00:00+25:00", false)]
    [InlineData("02.11.2026 08:00:00", false)]
    public void DateTimeIsRfc3339(string value, bool valid) =>
        Assert.Equal(valid, new Rfc3339DateTimeFormat().IsValid(value, JTokenType.String));

    [Theory]
    [InlineData("", true)]
    [InlineData("AAAA", true)]
    [InlineData("AA==", true)]
    [InlineData("AAA=", true)]
    [InlineData("A===", false)]
    [InlineData("AAA", false)]
    [InlineData("AA AA A=", false)]
    [InlineData("AA-_", false)]
    [InlineData("=AAA", false)]
    public void ByteIsPaddedBase64(string value, bool valid) =>
        Assert.Equal(valid, new StrictBase64Format().IsValid(value, JTokenType.String));

    [Theory]
    [InlineData("int32", "2147483647", true)]
    [InlineData("int32", "2147483648", false)]
    [InlineData("int32", "-2147483649", false)]
    [InlineData("int64", "9223372036854775807", true)]
    [InlineData("int64", "-9223372036854775808", true)]
    [InlineData("int64", "9223372036854775808", false)]
    [InlineData("int64", "\"5\"", false)]
    public async Task IntegersFitTheirFormat(string format, string json, bool valid)
    {
        var validator = await OfficialContract.RequireAsync();
        var schema = new JsonSchema { Type = JsonObjectType.Integer, Format = format };
        Assert.Equal(valid, validator.ValidateJson(schema, json).Count == 0);
    }

    [Theory]
    [InlineData("GET", "/sessions", "GET /sessions")]
    [InlineData("GET", "/sessions?sessionType=Online", "GET /sessions")]
    [InlineData("get", "/sessions/20261102-SO-0000000000-0000000000-00", "GET /sessions/{referenceNumber}")]
    [InlineData("GET", "/sessions/20261102-SO-0000000000-0000000000-00/invoices/failed", "GET /sessions/{referenceNumber}/invoices/failed")]
    [InlineData("GET", "/sessions/20261102-SO-0000000000-0000000000-00/invoices/20261102-EE-0000000000-0000000000-00", "GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}")]
    [InlineData("GET", "/sessions/X/invoices/ksef/5265877635-20250626-010080DD2B5E-26/upo", "GET /sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo")]
    [InlineData("GET", "/sessions/X/invoices/Y/upo", "GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo")]
    [InlineData("GET", "/sessions/X/upo/Y", "GET /sessions/{referenceNumber}/upo/{upoReferenceNumber}")]
    [InlineData("POST", "/sessions/online", "POST /sessions/online")]
    [InlineData("POST", "/sessions/online/X/close", "POST /sessions/online/{referenceNumber}/close")]
    [InlineData("GET", "/sessions/X/invoices/Y/upo/extra", null)]
    [InlineData("DELETE", "/sessions", null)]
    [InlineData("GET", "/no-such-route", null)]
    public async Task PathsFindTheirOperationLiteralsFirst(string method, string path, string? expected)
    {
        var validator = await OfficialContract.RequireAsync();
        Assert.Equal(expected, validator.FindOperation(method, path)?.Key);
    }

    [Fact]
    public async Task RouteTemplatesFindTheirOperationWhateverTheParameterNames()
    {
        var validator = await OfficialContract.RequireAsync();
        Assert.Equal("GET /sessions/{referenceNumber}/invoices/failed", validator.FindOperationByTemplate("GET", "/sessions/{id}/invoices/failed")?.Key);
        Assert.Equal("GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}", validator.FindOperationByTemplate("GET", "/sessions/{a}/invoices/{b:minlength(3)}")?.Key);
        Assert.Null(validator.FindOperationByTemplate("GET", "/sessions/{a}/{b}"));
    }

    [Fact]
    public async Task WholeResponsesAreHeldToStatusContentTypeHeadersAndBodyFormat()
    {
        var validator = await OfficialContract.RequireAsync();
        var session = "/sessions/20261102-SO-0000000000-0000000000-00";
        var upo = session + "/upo/20261102-EU-0000000000-0000000000-00";
        var valid = Encoding.UTF8.GetBytes((await AcceptedSessionStatusAsync()).ToString());
        string[] Kinds(string path, int status, string? contentType, byte[] body, Dictionary<string, string>? headers = null) =>
            [.. validator.Validate("GET", path, status, contentType, body, headers).Violations.Select(v => v.Kind)];

        Assert.Empty(Kinds(session, 200, "application/json; charset=utf-8", valid));
        Assert.Equal(["UndeclaredStatus"], Kinds(session, 404, "application/json", valid));
        Assert.Equal(["ServerError"], Kinds(session, 500, "application/json", valid));
        Assert.Equal(["ServerError"], Kinds(session, 503, null, []));
        Assert.Equal(["UndeclaredContentType"], Kinds(session, 200, "text/plain", valid));
        Assert.Equal(["UndeclaredContentType"], Kinds(session, 401, "application/json", valid));
        Assert.Equal(["MissingContentType"], Kinds(session, 200, null, valid));
        Assert.Equal(["InvalidJson"], Kinds(session, 200, "application/json", Encoding.UTF8.GetBytes("{\"status\":")));
        Assert.Equal(["InvalidJson"], Kinds(session, 200, "application/json", Encoding.UTF8.GetBytes("{} {}")));
        Assert.Equal(["NoSuchOperation"], Kinds("/no-such-route", 200, "application/json", valid));

        // A 400 in the ExceptionResponse shape sent as problem+json misses every required problem field.
        var exception = Encoding.UTF8.GetBytes("""{"exception":{"exceptionDetailList":[{"exceptionCode":21405,"exceptionDescription":"x"}],"timestamp":"2026-11-02T08:00:00Z"}}""");
        Assert.Empty(Kinds(session, 400, "application/json", exception));
        var problems = Kinds(session, 400, "application/problem+json", exception);
        Assert.Contains("PropertyRequired", problems);
        Assert.Contains("UndeclaredProperty", problems);

        // UPO: XML must be well-formed, and the declared hash header must fit its schema when present.
        var xml = Encoding.UTF8.GetBytes("<Potwierdzenie><a/></Potwierdzenie>");
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(xml));
        Assert.Empty(Kinds(upo, 200, "application/xml", xml, new() { ["x-ms-meta-hash"] = hash }));
        Assert.Equal(["InvalidXml"], Kinds(upo, 200, "application/xml", Encoding.UTF8.GetBytes("<Potwierdzenie><a></Potwierdzenie>")));
        var badHeader = validator.Validate("GET", upo, 200, "application/xml", xml, new Dictionary<string, string> { ["x-ms-meta-hash"] = "abc" }).Violations;
        Assert.Contains(badHeader, v => v.Path == "header x-ms-meta-hash" && v.Kind == "StringTooShort");
    }

    [Fact]
    public void TheNewestDatedSpecIsChosenWhateverItsExactName()
    {
        Assert.Equal(new DateOnly(2026, 5, 19), OfficialSpecLocator.DateIn("ksef-openapi-2026-05-19.json"));
        Assert.Equal(new DateOnly(2027, 1, 2), OfficialSpecLocator.DateIn("open-api-2027-01-02.json"));
        Assert.Null(OfficialSpecLocator.DateIn("openapi.json"));
        Assert.Null(OfficialSpecLocator.DateIn("notes-2027-01-02.json"));
        Assert.Null(OfficialSpecLocator.DateIn("ksef-openapi-2026-13-01.json"));

        var folder = Directory.CreateTempSubdirectory("ksefgen-spec-");
        try
        {
            Directory.CreateDirectory(Path.Combine(folder.FullName, "openapi"));
            foreach (var name in new[] { "openapi/ksef-openapi-2025-07-11.json", "openapi/ksef-openapi-2026-05-19.json", "open-api-2026-06-01.json", "notes-2030-01-01.json", "openapi/openapi.json" })
            {
                File.WriteAllText(Path.Combine(folder.FullName, name), "{}");
            }
            Assert.Equal(Path.Combine(folder.FullName, "open-api-2026-06-01.json"), OfficialSpecLocator.NewestIn(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
