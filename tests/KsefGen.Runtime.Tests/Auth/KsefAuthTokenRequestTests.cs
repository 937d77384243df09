using System.Xml;
using System.Xml.Schema;
using KsefGen.Runtime.Auth;

namespace KsefGen.Runtime.Tests.Auth;

public sealed class KsefAuthTokenRequestTests
{
    internal const string Challenge = "20250514-CR-226FB7B000-3ACF9BE4C0-10";
    internal const string Nip = "5265877635";
    private const string Ns = KsefAuthTokenRequest.Namespace;

    [Fact]
    public void NipRequestHasTheSchemasElementsInOrder()
    {
        var document = KsefAuthTokenRequest.Create(Challenge, KsefContextIdentifier.Nip(Nip));

        var root = document.DocumentElement!;
        Assert.Equal(("AuthTokenRequest", Ns), (root.LocalName, root.NamespaceURI));
        Assert.Equal(["Challenge", "ContextIdentifier", "SubjectIdentifierType"], root.ChildNodes.Cast<XmlNode>().Select(n => n.LocalName));
        Assert.All(root.ChildNodes.Cast<XmlNode>(), n => Assert.Equal(Ns, n.NamespaceURI));
        Assert.Equal(Challenge, root["Challenge", Ns]!.InnerText);
        var context = Assert.Single(root["ContextIdentifier", Ns]!.ChildNodes.Cast<XmlElement>());
        Assert.Equal(("Nip", Ns, Nip), (context.LocalName, context.NamespaceURI, context.InnerText));
        Assert.Equal("certificateSubject", root["SubjectIdentifierType", Ns]!.InnerText);
    }

    [Theory]
    [InlineData(KsefContextIdentifierType.InternalId, "5265877635-12345", "InternalId")]
    [InlineData(KsefContextIdentifierType.NipVatUe, "5265877635-DE123456789", "NipVatUe")]
    [InlineData(KsefContextIdentifierType.PeppolId, "PPL123456", "PeppolId")]
    public void ContextElementIsNamedAfterTheIdentifierType(KsefContextIdentifierType type, string value, string element)
    {
        var document = KsefAuthTokenRequest.Create(Challenge, new KsefContextIdentifier(type, value), KsefSubjectIdentifierType.CertificateFingerprint);

        var context = Assert.Single(document.DocumentElement!["ContextIdentifier", Ns]!.ChildNodes.Cast<XmlElement>());
        Assert.Equal((element, value), (context.LocalName, context.InnerText));
        Assert.Equal("certificateFingerprint", document.DocumentElement!["SubjectIdentifierType", Ns]!.InnerText);
        ValidateAgainstSchema(document);
    }

    [Fact]
    public void AllowedAddressesBecomeAnAuthorizationPolicyAfterTheSubjectType()
    {
        var document = KsefAuthTokenRequest.Create(Challenge, KsefContextIdentifier.Nip(Nip), allowedIp4Addresses: ["192.168.0.1", "10.0.0.255"]);

        var root = document.DocumentElement!;
        Assert.Equal("AuthorizationPolicy", root.LastChild!.LocalName);
        var allowed = root["AuthorizationPolicy", Ns]!["AllowedIps", Ns]!;
        Assert.Equal(["192.168.0.1", "10.0.0.255"], allowed.ChildNodes.Cast<XmlElement>().Select(e => e.InnerText));
        Assert.All(allowed.ChildNodes.Cast<XmlElement>(), e => Assert.Equal("Ip4Address", e.LocalName));
        Assert.Null(KsefAuthTokenRequest.Create(Challenge, KsefContextIdentifier.Nip(Nip), allowedIp4Addresses: []).DocumentElement!["AuthorizationPolicy", Ns]);
    }

    [Fact]
    public void RequestValidatesAgainstTheOfficialSchema()
    {
        ValidateAgainstSchema(KsefAuthTokenRequest.Create(Challenge, KsefContextIdentifier.Nip(Nip)));
        ValidateAgainstSchema(KsefAuthTokenRequest.Create(Challenge, KsefContextIdentifier.Nip(Nip), allowedIp4Addresses: ["192.168.0.1"]));
    }

    [Theory]
    [InlineData("20250514-CR-226FB7B000-3ACF9BE4C0-1")]
    [InlineData("20250514-CR-226fb7b000-3ACF9BE4C0-10")]
    [InlineData("20250514-AU-226FB7B000-3ACF9BE4C0-10")]
    [InlineData("20250514-CR-226FB7B000-3ACF9BE4C0-10\n")]
    [InlineData("")]
    public void MalformedChallengeIsRefused(string challenge)
    {
        var e = Assert.Throws<ArgumentException>(() => KsefAuthTokenRequest.Create(challenge, KsefContextIdentifier.Nip(Nip)));
        Assert.Equal("challenge", e.ParamName);
    }

    [Theory]
    [InlineData(KsefContextIdentifierType.Nip, "5265877636")]
    [InlineData(KsefContextIdentifierType.Nip, "")]
    [InlineData(KsefContextIdentifierType.InternalId, "5265877635-1234")]
    [InlineData(KsefContextIdentifierType.NipVatUe, "5265877635-XX123")]
    [InlineData(KsefContextIdentifierType.PeppolId, "PL123456")]
    public void ContextValueThatBreaksItsTypesPatternIsRefused(KsefContextIdentifierType type, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => KsefAuthTokenRequest.Create(Challenge, new KsefContextIdentifier(type, value)));
        Assert.Equal("context", e.ParamName);
    }

    [Fact]
    public void BadOrTooManyAddressesAreRefused()
    {
        var context = KsefContextIdentifier.Nip(Nip);
        Assert.Equal("allowedIp4Addresses", Assert.Throws<ArgumentException>(() => KsefAuthTokenRequest.Create(Challenge, context, allowedIp4Addresses: ["256.1.1.1"])).ParamName);
        Assert.Equal("allowedIp4Addresses", Assert.Throws<ArgumentException>(() => KsefAuthTokenRequest.Create(Challenge, context, allowedIp4Addresses: ["10.0.0.0/8"])).ParamName);
        var eleven = Enumerable.Range(1, 11).Select(i => $"10.0.0.{i}").ToList();
        Assert.Equal("allowedIp4Addresses", Assert.Throws<ArgumentException>(() => KsefAuthTokenRequest.Create(Challenge, context, allowedIp4Addresses: eleven)).ParamName);
    }

    /// <summary>Validates against schemat_auth_v2-0.xsd from ../shared (a skip when absent).</summary>
    internal static void ValidateAgainstSchema(XmlDocument document)
    {
        var schemas = new XmlSchemaSet { XmlResolver = null };
        schemas.Add(Ns, Path.Combine(SharedSpec.RequireDirectory(), "schemas", "auth", "schemat_auth_v2-0.xsd"));
        schemas.Compile();
        var errors = new List<string>();
        var copy = (XmlDocument)document.Clone();
        copy.Schemas = schemas;
        copy.Validate((_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        Assert.Empty(errors);
    }
}
