using System.Text.Json;
using KsefGen.Tests.Sandbox;

namespace KsefGen.Generator.Tests;

/// <summary>
/// Lenient input, as ASP.NET reads it on the real server: string enums map known values ignoring case, and output
/// keeps the spec's spelling.
/// </summary>
public sealed class CaseInsensitiveJsonTests
{
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
}
