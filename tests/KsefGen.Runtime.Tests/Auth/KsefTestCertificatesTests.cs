using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime.Auth;
using KsefGen.Sandbox.State;

namespace KsefGen.Runtime.Tests.Auth;

public sealed class KsefTestCertificatesTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private const string OfficialExampleNip = "5265877635";

    private static readonly DateTimeOffset Now = new(2026, 3, 10, 8, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string> Attributes(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .ToDictionary(n => n.GetSingleElementType().Value!, n => n.GetSingleElementValue()!);

    [Theory]
    [InlineData(KsefKeyType.Rsa)]
    [InlineData(KsefKeyType.Ecdsa)]
    public void NipCertificateIsACompanySealNamingTheNipTheWayTestReadsIt(KsefKeyType keyType)
    {
        var nip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        using var certificate = KsefTestCertificates.ForNip(nip, keyType, "Testowa Sp. z o.o.", new FixedClock(Now));

        var attributes = Attributes(certificate);
        Assert.Equal($"VATPL-{nip}", attributes["2.5.4.97"]);      // organizationIdentifier
        Assert.Equal("Testowa Sp. z o.o.", attributes["2.5.4.10"]); // organizationName
        Assert.Equal("Testowa Sp. z o.o.", attributes["2.5.4.3"]);  // commonName
        Assert.Equal("PL", attributes["2.5.4.6"]);
        Assert.DoesNotContain("2.5.4.42", attributes.Keys);          // a seal names no person
        Assert.DoesNotContain("2.5.4.4", attributes.Keys);
        // The sandbox reads the subject as KSeF TEST does.
        Assert.Equal(SubjectIdentifier.Nip(nip), SubjectIdentifier.Of(certificate));
    }

    [Theory]
    [InlineData(KsefKeyType.Rsa, "1.2.840.113549.1.1.1", 2048)]
    [InlineData(KsefKeyType.Ecdsa, "1.2.840.10045.2.1", 256)]
    public void CertificateCarriesAUsablePrivateKeyOfTheChosenKind(KsefKeyType keyType, string keyAlgorithm, int keySize)
    {
        using var certificate = KsefTestCertificates.ForNip(OfficialExampleNip, keyType);

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(keyAlgorithm, certificate.PublicKey.Oid.Value);
        var data = "podpis"u8.ToArray();
        if (keyType == KsefKeyType.Rsa)
        {
            using var key = certificate.GetRSAPrivateKey()!;
            Assert.Equal(keySize, key.KeySize);
            using var pub = certificate.GetRSAPublicKey()!;
            Assert.True(pub.VerifyData(data, key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        else
        {
            using var key = certificate.GetECDsaPrivateKey()!;
            Assert.Equal(keySize, key.KeySize);
            Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, key.ExportParameters(false).Curve.Oid.Value);
            using var pub = certificate.GetECDsaPublicKey()!;
            Assert.True(pub.VerifyData(data, key.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
        }
    }

    [Fact]
    public void CertificateIsValidFromADayBeforeNowForAYear()
    {
        using var certificate = KsefTestCertificates.ForNip(OfficialExampleNip, KsefKeyType.Ecdsa, timeProvider: new FixedClock(Now));

        Assert.Equal(Now.AddDays(-1).UtcDateTime, certificate.NotBefore.ToUniversalTime());
        Assert.Equal(Now.AddYears(1).UtcDateTime, certificate.NotAfter.ToUniversalTime());
        Assert.Equal(certificate.Subject, certificate.Issuer);
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature));
    }

    [Fact]
    public void PeselCertificateNamesAPersonByPesel()
    {
        using var certificate = KsefTestCertificates.ForPesel("44051401359", KsefKeyType.Ecdsa, "Anna", "Nowak");

        var attributes = Attributes(certificate);
        Assert.Equal("PNOPL-44051401359", attributes["2.5.4.5"]);
        Assert.Equal("Anna", attributes["2.5.4.42"]);
        Assert.Equal("Nowak", attributes["2.5.4.4"]);
        Assert.Equal("Anna Nowak", attributes["2.5.4.3"]);
        Assert.Equal("PL", attributes["2.5.4.6"]);
        Assert.Equal(new SubjectIdentifier("Pesel", "44051401359"), SubjectIdentifier.Of(certificate));
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void FingerprintCertificateNamesNoPolishIdentifier()
    {
        using var certificate = KsefTestCertificates.ForFingerprint(commonName: "Jan Testowy");

        var attributes = Attributes(certificate);
        Assert.DoesNotContain("2.5.4.5", attributes.Keys);
        Assert.DoesNotContain("2.5.4.97", attributes.Keys);
        var fingerprint = KsefTestCertificates.Fingerprint(certificate);
        Assert.Matches("^[0-9A-F]{64}$", fingerprint);
        Assert.Equal(new SubjectIdentifier("Fingerprint", fingerprint), SubjectIdentifier.Of(certificate));
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void InvalidIdentifiersAreRefused()
    {
        Assert.Equal("nip", Assert.Throws<ArgumentException>(() => KsefTestCertificates.ForNip("5265877636")).ParamName);
        Assert.Equal("pesel", Assert.Throws<ArgumentException>(() => KsefTestCertificates.ForPesel("44051401358")).ParamName);
        Assert.Equal("pesel", Assert.Throws<ArgumentException>(() => KsefTestCertificates.ForPesel("4405140135")).ParamName);
    }
}
