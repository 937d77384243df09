using System.Text.Json;
using KsefGen.Tests.Sandbox;

namespace KsefGen.Generator.Tests;

/// <summary>
/// Lenient input, as ASP.NET reads it on the real server: the generated converters match property names ignoring case
/// when the options ask for it, string enums map known values ignoring case, and output keeps the spec's spelling.
/// </summary>
public sealed class CaseInsensitiveJsonTests
{
    // The request the way a hand-written client might spell it: PascalCase, UPPER, an enum value in lower case, a null.
    private const string LooseRequest = """
        {
          "Challenge": "20250625-CR-20F5EE4000-DA48AE4124-46",
          "CONTEXTIDENTIFIER": { "Type": "nip", "VALUE": "5265877635" },
          "EncryptedToken": "AQID",
          "PublicKeyId": null,
          "authorizationpolicy": { "AllowedIps": { "IP4ADDRESSES": ["192.168.0.1", "10.0.0.1"] } }
        }
        """;

    private static readonly JsonSerializerOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true, TypeInfoResolver = KsefJsonContext.Default };

    /// <summary>What ASP.NET Core uses for request bodies: the web defaults, which read names ignoring case.</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { TypeInfoResolver = KsefJsonContext.Default };

    [Fact]
    public void PascalCaseAndUpperCaseNamesAreReadWhenTheOptionsIgnoreCase()
    {
        foreach (var options in new[] { CaseInsensitive, Web })
        {
            var request = JsonSerializer.Deserialize<InitTokenAuthenticationRequest>(LooseRequest, options)!;

            Assert.Equal("20250625-CR-20F5EE4000-DA48AE4124-46", request.Challenge);
            Assert.Equal("5265877635", request.ContextIdentifier.Value);
            Assert.Equal(AuthenticationContextIdentifierType.Nip, request.ContextIdentifier.Type);
            Assert.Equal(new byte[] { 1, 2, 3 }, request.EncryptedToken);
            Assert.Null(request.PublicKeyId);
            Assert.Equal(["192.168.0.1", "10.0.0.1"], request.AuthorizationPolicy!.AllowedIps!.Ip4Addresses!);
        }
    }

    [Fact]
    public void AContextBuiltOverCaseInsensitiveOptionsReadsLooseNamesToo()
    {
        var context = new KsefJsonContext(new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        var status = JsonSerializer.Deserialize("""{ "CODE": 440, "Description": "Duplicate", "DETAILS": ["d1", "d2"] }""", context.StatusInfo)!;

        Assert.Equal(440, status.Code);
        Assert.Equal("Duplicate", status.Description);
        Assert.Equal(["d1", "d2"], status.Details!);
    }

    [Fact]
    public void LooseNamesAreNotMatchedWhenTheOptionsAreCaseSensitive()
    {
        var request = JsonSerializer.Deserialize(LooseRequest, KsefJsonContext.Default.InitTokenAuthenticationRequest)!;

        Assert.Null(request.Challenge);
        Assert.Null(request.ContextIdentifier);
        Assert.Null(request.EncryptedToken);
        Assert.Null(request.AuthorizationPolicy);

        var status = JsonSerializer.Deserialize("""{ "Code": 440, "code": 200, "DESCRIPTION": "x" }""", KsefJsonContext.Default.StatusInfo)!;
        Assert.Equal(200, status.Code);
        Assert.Null(status.Description);
    }

    [Theory]
    [InlineData("""{ "code": 200, "CODE": 440, "description": "exact", "Description": "loose" }""")]
    [InlineData("""{ "CODE": 440, "code": 200, "Description": "loose", "description": "exact" }""")]
    [InlineData("""{ "Code": 440, "code": 200, "CODE": 450, "DESCRIPTION": "loose", "description": "exact", "Description": "loose again" }""")]
    public void AnExactNameWinsOverACaseInsensitiveDuplicateWhereverItStands(string json)
    {
        var status = JsonSerializer.Deserialize<StatusInfo>(json, CaseInsensitive)!;

        Assert.Equal(200, status.Code);
        Assert.Equal("exact", status.Description);
    }

    [Fact]
    public void ListsOfNestedObjectsAreReadIgnoringCase()
    {
        var json = """
            {
              "ContinuationToken": "token-1",
              "Invoices": [
                { "OrdinalNumber": 1, "KSEFNUMBER": "5265877635-20250826-0100001AF629-AF", "InvoicingMode": "online", "Status": { "Code": 200, "Description": "OK" } },
                { "ordinalNumber": 2, "ksefNumber": null, "invoicingMode": "OFFLINE", "status": { "code": 150, "description": "processing" } }
              ]
            }
            """;

        var page = JsonSerializer.Deserialize<SessionInvoicesResponse>(json, Web)!;

        Assert.Equal("token-1", page.ContinuationToken);
        Assert.Equal(2, page.Invoices.Count);
        Assert.Equal(1, page.Invoices[0].OrdinalNumber);
        Assert.Equal("5265877635-20250826-0100001AF629-AF", page.Invoices[0].KsefNumber);
        Assert.Equal(InvoicingMode.Online, page.Invoices[0].InvoicingMode);
        Assert.Equal(InvoiceStatusCode.Succeeded, page.Invoices[0].StatusCode);
        Assert.Null(page.Invoices[1].KsefNumber);
        Assert.Equal(InvoicingMode.Offline, page.Invoices[1].InvoicingMode);
        Assert.Equal(150, page.Invoices[1].Status.Code);
    }

    [Fact]
    public void EscapedAndOverlongNamesAreHandledIgnoringCase()
    {
        // "\u0043ODE" is "CODE"; the 300-character name is longer than the stack buffer and matches nothing.
        var json = "{ \"" + new string('x', 300) + "\": [1, { \"a\": 2 }], \"\\u0043ODE\": 415, \"d\\u0065scription\": \"exact, escaped\" }";

        var status = JsonSerializer.Deserialize<StatusInfo>(json, CaseInsensitive)!;

        Assert.Equal(415, status.Code);
        Assert.Equal("exact, escaped", status.Description);
    }

    [Theory]
    [InlineData("nip")]
    [InlineData("NIP")]
    [InlineData("Nip")]
    [InlineData("nIp")]
    public void AKnownEnumValueInAnyCaseReadsAsTheKnownMember(string wire)
    {
        // The enum's own converter (reflection serializer, default options: no case-insensitivity asked for).
        var type = JsonSerializer.Deserialize<AuthenticationContextIdentifierType>("\"" + wire + "\"");
        Assert.True(type.IsKnown);
        Assert.Equal("Nip", type.Value);
        Assert.Equal(AuthenticationContextIdentifierType.Nip, type);
        Assert.Equal("\"Nip\"", JsonSerializer.Serialize(type));

        // The same value inside a model, read by the model's converter.
        var identifier = JsonSerializer.Deserialize("{ \"type\": \"" + wire + "\", \"value\": \"5265877635\" }", KsefJsonContext.Default.AuthenticationContextIdentifier)!;
        Assert.True(identifier.Type.IsKnown);
        Assert.Equal("Nip", identifier.Type.Value);
        Assert.Equal("""{"type":"Nip","value":"5265877635"}""", JsonSerializer.Serialize(identifier, KsefJsonContext.Default.AuthenticationContextIdentifier));

        Assert.Equal(AuthenticationContextIdentifierType.Nip, AuthenticationContextIdentifierType.FromValue(wire));
    }

    [Fact]
    public void EnumValuesDifferingOnlyInCaseMapToTheirOwnMembers()
    {
        Assert.Equal("NipVatUe", AuthenticationContextIdentifierType.FromValue("NIPVATUE").Value);
        Assert.Equal("InternalId", AuthenticationContextIdentifierType.FromValue("internalid").Value);
        Assert.Equal(AuthenticationContextIdentifierType.PeppolId, JsonSerializer.Deserialize<AuthenticationContextIdentifierType>("\"peppolID\""));
    }

    [Theory]
    [InlineData("Hybrid")]
    [InlineData("hYbRiD")]
    [InlineData("online ")]
    [InlineData("")]
    public void AnUnknownEnumValueSurvivesARoundTripUnchanged(string wire)
    {
        var json = "{ \"invoicingMode\": " + JsonSerializer.Serialize(wire) + " }";
        var invoice = JsonSerializer.Deserialize(json, KsefJsonContext.Default.SessionInvoiceStatusResponse)!;

        Assert.False(invoice.InvoicingMode!.Value.IsKnown);
        Assert.Equal(wire, invoice.InvoicingMode.Value.Value);
        var again = JsonSerializer.Serialize(invoice, KsefJsonContext.Default.SessionInvoiceStatusResponse);
        using var document = JsonDocument.Parse(again);
        Assert.Equal(wire, document.RootElement.GetProperty("invoicingMode").GetString());

        var mode = JsonSerializer.Deserialize<InvoicingMode>(JsonSerializer.Serialize(wire));
        Assert.Equal(wire, mode.Value);
        Assert.Equal(JsonSerializer.Serialize(wire), JsonSerializer.Serialize(mode));
    }

    [Fact]
    public void TheConstructorAndTheStringConversionKeepAValueAsGiven()
    {
        Assert.False(new AuthenticationContextIdentifierType("nip").IsKnown);
        AuthenticationContextIdentifierType converted = "NIP";
        Assert.Equal("NIP", converted.Value);
        Assert.NotEqual(AuthenticationContextIdentifierType.Nip, converted);
    }

    [Fact]
    public void OutputKeepsTheSpecSpellingAfterALooseRead()
    {
        var request = JsonSerializer.Deserialize<InitTokenAuthenticationRequest>(LooseRequest, Web)!;

        var json = JsonSerializer.Serialize(request, Web);

        Assert.Equal(
            """{"challenge":"20250625-CR-20F5EE4000-DA48AE4124-46","contextIdentifier":{"type":"Nip","value":"5265877635"},"encryptedToken":"AQID","authorizationPolicy":{"allowedIps":{"ip4Addresses":["192.168.0.1","10.0.0.1"]}}}""",
            json);
    }
}
