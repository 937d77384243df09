using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime.Auth;

namespace KsefGen.Upo.Tests;

/// <summary>A sandbox whose UPO links are already "expired" when issued (10 s, under the downloader's 30 s margin).</summary>
public sealed class ShortLinkSandbox : UpoSandbox
{
    protected override void Configure(KsefGen.Sandbox.SandboxOptions options)
    {
        base.Configure(options);
        options.UpoLinkLifetime = TimeSpan.FromSeconds(10);
    }
}

/// <summary>Expired links, other credentials, and failures that end the run.</summary>
public sealed class ExpiredLinkTests(ShortLinkSandbox sandbox) : IClassFixture<ShortLinkSandbox>
{
    [Fact]
    public async Task ExpiredLinksAreRenewedThroughTheStatusAndEveryUpoIsArchived()
    {
        var archive = sandbox.Folder();
        var db = Path.Combine(sandbox.Folder(), "ledger.db");

        var (exit, output) = await sandbox.SyncAsync(archive, db, null, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        using var ledger = Ledger.Open(db);
        var accepted = ledger.Invoices().Where(i => i.StatusCode == 200).ToList();
        Assert.NotEmpty(accepted);
        Assert.All(accepted, i => Assert.True(i.UpoFile is not null && i.UpoError is null));
        Assert.Matches(@"Expired UPO links renewed\s*│\s*[1-9]", output);
    }
}

public sealed class CredentialTests(UpoSandbox sandbox) : IClassFixture<UpoSandbox>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACertificateAndAnExplicitBaseUrlAndTrustedCertificateWork()
    {
        var folder = sandbox.Folder();
        using var certificate = KsefTestCertificates.ForNip(sandbox.Nip);
        var pfx = Path.Combine(folder, "me.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "secret"), Ct);
        var trust = Path.Combine(folder, "upo.pem");
        await File.WriteAllTextAsync(trust, sandbox.Sandbox.UpoCertificate.ExportCertificatePem(), Ct);
        var archive = Path.Combine(folder, "archive");

        var (exit, _) = await sandbox.RunAsync(["sync", "--base-url", sandbox.Sandbox.BaseAddress.ToString(), "--nip", sandbox.Nip, "--certificate", pfx,
            "--password", "secret", "--trust", trust, "--archive", archive, "--since", "2026-11-01", "--until", "2026-11-30"], null, Ct);

        Assert.Equal(0, exit);
        using var ledger = Ledger.Open(Path.Combine(archive, "ksef-upo.db"));
        Assert.Equal(sandbox.Store.SessionsOf(sandbox.Nip).SelectMany(s => s.Invoices).Count(i => i.Status == 200), ledger.Invoices().Count(i => i.StatusCode == 200 && i.UpoFile is not null));
    }

    [Fact]
    public async Task AWrongTokenEndsWithExitCodeTwo()
    {
        var archive = sandbox.Folder();

        var (exit, output) = await sandbox.RunAsync(["sync", "--base-url", sandbox.Sandbox.BaseAddress.ToString(), "--nip", sandbox.Nip, "--ksef-token", "not-a-token", "--archive", archive], null, Ct);

        Assert.Equal(2, exit);
        Assert.Contains("ksef-upo sync failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADateRangeWithoutSessionsArchivesNothing()
    {
        var archive = sandbox.Folder();

        var (exit, _) = await sandbox.RunAsync(["sync", "--archive", archive, "--since", "2020-01-01", "--until", "2020-01-31"], null, Ct);

        Assert.Equal(0, exit);
        using var ledger = Ledger.Open(Path.Combine(archive, "ksef-upo.db"));
        Assert.Empty(ledger.Invoices());
        Assert.DoesNotContain(Directory.EnumerateFiles(archive), f => f.EndsWith("-upo.xml", StringComparison.Ordinal));
    }
}
