using System.Text.Json;
using KsefGen.Tests.Sandbox;

namespace KsefGen.Generator.Tests;

/// <summary>
/// The models, enums and status codes generated from specs/ into this test assembly: unknown values survive a
/// round trip, 440 extensions are typed, and the JSON context works without reflection.
/// </summary>
public sealed class GeneratedModelTests
{
    private const string InvoiceJson = """
        {
          "ordinalNumber": 3,
          "invoiceNumber": "FV/2026/11/001",
          "ksefNumber": "5265877635-20250826-0100001AF629-AF",
          "referenceNumber": "20251122-EE-1A2B3C4D5E-6F7A8B9C0D-11",
          "invoiceHash": "mWtq9Jk9wqQ0A8xz4cZ2iF0aO9dB8XW2qk1pL7nQeW0=",
          "invoicingDate": "2026-11-22T10:15:30.123+00:00",
          "invoicingMode": "Hybrid",
          "somethingNew": { "nested": [1, 2, 3] },
          "status": { "code": 460, "description": "A code the spec does not list", "details": ["d1"] }
        }
        """;

    [Fact]
    public void UnknownEnumValueAndUnknownStatusCodeSurviveARoundTrip()
    {
        var invoice = JsonSerializer.Deserialize(InvoiceJson, KsefJsonContext.Default.SessionInvoiceStatusResponse)!;

        Assert.Equal("Hybrid", invoice.InvoicingMode!.Value.Value);
        Assert.False(invoice.InvoicingMode.Value.IsKnown);
        Assert.Equal(460, invoice.StatusCode.Value);
        Assert.False(invoice.StatusCode.IsKnown);
        Assert.True(invoice.StatusCode.IsTerminal);
        Assert.True(invoice.StatusCode.IsFailure);
        Assert.Null(invoice.StatusCode.Name);
        Assert.Equal("460", invoice.StatusCode.ToString());

        var json = JsonSerializer.Serialize(invoice, KsefJsonContext.Default.SessionInvoiceStatusResponse);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("Hybrid", document.RootElement.GetProperty("invoicingMode").GetString());
        Assert.Equal(460, document.RootElement.GetProperty("status").GetProperty("code").GetInt32());
        Assert.False(document.RootElement.TryGetProperty("somethingNew", out _));

        var again = JsonSerializer.Deserialize(json, KsefJsonContext.Default.SessionInvoiceStatusResponse)!;
        Assert.Equal(invoice.InvoiceHash, again.InvoiceHash);
        Assert.Equal(invoice.InvoicingDate, again.InvoicingDate);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 15, 30, 123, TimeSpan.Zero), again.InvoicingDate);
        Assert.Equal(invoice.InvoicingMode, again.InvoicingMode);
    }

    [Fact]
    public void KnownCodesCarryNamesDescriptionsAndStates()
    {
        Assert.Equal(440, InvoiceStatusCode.Duplicate.Value);
        Assert.True(InvoiceStatusCode.Duplicate.IsKnown);
        Assert.Equal(["originalSessionReferenceNumber", "originalKsefNumber"], InvoiceStatusCode.Duplicate.DocumentedExtensions);
        Assert.True(InvoiceStatusCode.Processing.IsInProgress);
        Assert.False(InvoiceStatusCode.Processing.IsTerminal);
        Assert.True(InvoiceStatusCode.Succeeded.IsSuccess);
        Assert.Equal("440 (Duplicate)", InvoiceStatusCode.Duplicate.ToString());
        Assert.Equal([100, 150, 200, 405, 410, 415, 430, 435, 440, 450, 500, 550], InvoiceStatusCode.KnownCodes.Select(c => c.Value));

        // The session table has a batch and an online sub-table: code 100 means something in each.
        var opened = SessionStatusCode.Opened.Descriptions;
        Assert.Equal(2, opened.Count);
        Assert.All(opened, d => Assert.False(string.IsNullOrEmpty(d.Scope)));
        Assert.NotEqual(opened[0].Scope, opened[1].Scope);
        // 440 appears twice in the batch table with different details: they merge into one code.
        var cancelled = SessionStatusCode.Cancelled.Descriptions.SelectMany(d => d.Details).Distinct().ToList();
        Assert.True(cancelled.Count >= 2, string.Join(" | ", cancelled));
        Assert.True(SessionStatusCode.Closed.IsInProgress);

        Assert.Equal([100, 200, 415, 425, 450, 460, 470, 480, 500, 550], AuthenticationStatusCode.KnownCodes.Select(c => c.Value));
        Assert.True(AuthenticationStatusCode.InvalidToken.Descriptions[0].Details.Count >= 2);
    }

    [Fact]
    public void DuplicateInvoiceExtensionsAreTyped()
    {
        var json = """
            { "code": 440, "description": "Duplicate", "extensions": { "originalSessionReferenceNumber": "20251122-SO-1A2B3C4D5E-6F7A8B9C0D-22", "originalKsefNumber": "5265877635-20250826-0100001AF629-AF", "other": null } }
            """;
        var status = JsonSerializer.Deserialize(json, KsefJsonContext.Default.InvoiceStatusInfo)!;
        Assert.Equal("20251122-SO-1A2B3C4D5E-6F7A8B9C0D-22", status.OriginalSessionReferenceNumber);
        Assert.Equal("5265877635-20250826-0100001AF629-AF", status.OriginalKsefNumber);
        Assert.True(status.Extensions!.ContainsKey("other"));
        Assert.Null(status.Extensions["other"]);

        var without = JsonSerializer.Deserialize("""{ "code": 200, "description": "OK" }""", KsefJsonContext.Default.InvoiceStatusInfo)!;
        Assert.Null(without.OriginalKsefNumber);
        Assert.Null(without.Extensions);
    }

    [Fact]
    public void NullableAllOfWrapperIsNullableAndOptionalNullsAreNotWritten()
    {
        // SessionStatusResponse.upo is "allOf: [UpoResponse], nullable: true": Microsoft.OpenApi drops that nullable.
        var property = typeof(SessionStatusResponse).GetProperty(nameof(SessionStatusResponse.Upo))!;
        var nullability = new System.Reflection.NullabilityInfoContext().Create(property);
        Assert.Equal(System.Reflection.NullabilityState.Nullable, nullability.ReadState);

        var response = new SessionStatusResponse
        {
            Status = new StatusInfo { Code = 200, Description = "done" },
            DateCreated = DateTimeOffset.UnixEpoch,
            DateUpdated = DateTimeOffset.UnixEpoch,
        };
        var json = JsonSerializer.Serialize(response, KsefJsonContext.Default.SessionStatusResponse);
        Assert.DoesNotContain("upo", json);
        Assert.Contains("\"dateCreated\":\"1970-01-01T00:00:00+00:00\"", json);
        Assert.Equal(SessionStatusCode.Succeeded, response.StatusCode);
    }

    [Fact]
    public void ReflectionSerializerUsesTheGeneratedConverters()
    {
        var type = JsonSerializer.Deserialize<SessionType>("\"Interactive\"");
        Assert.Equal("Interactive", type.Value);
        Assert.Equal("\"Interactive\"", JsonSerializer.Serialize(type));
        Assert.Equal(SessionType.Online, JsonSerializer.Deserialize<SessionType>("\"Online\""));
        Assert.NotNull(KsefJsonContext.Default.GetTypeInfo(typeof(SessionStatusResponse)));
        Assert.NotNull(KsefJsonContext.Default.GetTypeInfo(typeof(InvoiceStatusCode)));
        Assert.Null(KsefJsonContext.Default.GetTypeInfo(typeof(Uri)));
    }

    [Fact]
    public void ContextWorksInsideAnotherOptionsResolverChain()
    {
        var options = new JsonSerializerOptions { TypeInfoResolver = KsefJsonContext.Default, WriteIndented = true };
        var json = JsonSerializer.Serialize(new StatusInfo { Code = 150, Description = "processing" }, options);
        Assert.Contains("\n", json);
        Assert.Equal(150, JsonSerializer.Deserialize<StatusInfo>(json, options)!.Code);
        Assert.Same(options, options.GetTypeInfo(typeof(StatusInfo)).Options);
    }

    [Fact]
    public void WrongJsonShapeGivesAJsonException()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{ "code": "abc", "description": "x" }""", KsefJsonContext.Default.InvoiceStatusInfo));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("[1]", KsefJsonContext.Default.InvoiceStatusInfo));
    }
}
