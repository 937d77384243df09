using System.Diagnostics;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// A UPO verified by a tool nobody here wrote: xmlsec1 (Debian package). Skipped when xmlsec1 is not installed,
/// unless KSEFGEN_REQUIRE_XMLSEC=1 (set by .ci/run, which installs it), where its absence fails the test.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class XmlsecTests(SandboxFixture sandbox)
{
    private static string? Xmlsec =>
        new[] { "/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1" }.FirstOrDefault(File.Exists);

    [Fact]
    public async Task Xmlsec1VerifiesAServedUpo()
    {
        var required = Environment.GetEnvironmentVariable("KSEFGEN_REQUIRE_XMLSEC") == "1";
        Assert.SkipWhen(Xmlsec is null && !required, "xmlsec1 is not installed (apt-get install xmlsec1); .ci/run installs it.");
        Assert.True(Xmlsec is not null, "KSEFGEN_REQUIRE_XMLSEC=1 but xmlsec1 is not installed");

        var ct = TestContext.Current.CancellationToken;
        var nip = sandbox.Store.Contexts[0].Nip;
        var client = await sandbox.ClientAsync(nip);
        var session = sandbox.Store.SessionsOf(nip).First(s => s.Status == 200);
        var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, ct);
        var upo = await client.SessionStatus.GetSessionUpoAsync(session.ReferenceNumber, status.Upo!.Pages[0].ReferenceNumber, ct);

        var dir = Directory.CreateTempSubdirectory("ksefgen-xmlsec-");
        try
        {
            var upoPath = Path.Combine(dir.FullName, "upo.xml");
            var certPath = Path.Combine(dir.FullName, "upo-cert.pem");
            await File.WriteAllTextAsync(upoPath, upo.Content, ct);
            await File.WriteAllTextAsync(certPath, await sandbox.Http.GetStringAsync("sandbox/upo-certificate", ct), ct);

            Assert.Equal(0, await RunAsync(Xmlsec!, upoPath, certPath, ct));

            // And xmlsec1 refuses the same document once a byte of content changes.
            await File.WriteAllTextAsync(upoPath, upo.Content.Replace("<NazwaStrukturyLogicznej>Schemat_FA(3)", "<NazwaStrukturyLogicznej>Schemat_FA(2)"), ct);
            Assert.NotEqual(0, await RunAsync(Xmlsec!, upoPath, certPath, ct));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAsync(string xmlsec, string upo, string certificate, CancellationToken ct)
    {
        var start = new ProcessStartInfo(xmlsec) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--verify", "--pubkey-cert-pem", certificate, "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", upo })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardError.ReadToEndAsync(ct) + await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        return process.ExitCode;
    }
}
