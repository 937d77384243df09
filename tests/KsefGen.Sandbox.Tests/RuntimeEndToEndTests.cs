using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime;
using KsefGen.Runtime.Status;
using KsefGen.Runtime.Upo;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>A sandbox that processes in well under a second and whose UPO links live two seconds.</summary>
public sealed class QuickSandbox : SandboxFixture
{
    public QuickSandbox()
    {
        UpoLinkLifetime = TimeSpan.FromSeconds(2);
        Configure = o =>
        {
            o.ProcessingDelay = TimeSpan.FromMilliseconds(600);
            o.AuthenticationDelay = TimeSpan.FromMilliseconds(100);
        };
    }
}

/// <summary>
/// The runtime against the sandbox: send an invoice, wait for its final status, download its UPO through the
/// pre-signed link (also when the link has expired, or answers with an HTML page), verify and archive it.
/// </summary>
public sealed class RuntimeEndToEndTests(QuickSandbox sandbox) : IClassFixture<QuickSandbox>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Nip => sandbox.Store.Contexts[0].Nip;

    private static KsefPollingOptions Polling => new() { InitialInterval = TimeSpan.FromMilliseconds(100), MaxInterval = TimeSpan.FromMilliseconds(400), Deadline = TimeSpan.FromSeconds(30) };

    private async Task<(KsefClient Client, string Session, SessionInvoiceStatusResponse Invoice)> SendAndWaitAsync()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var session = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var sent = await client.OnlineSession.SendOnlineSessionInvoiceAsync(session.ReferenceNumber,
            KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, $"FE/{Guid.NewGuid():N}"), key, iv), Ct);
        var seen = new List<int>();
        var progress = new Progress<KsefPollingProgress>(p => { lock (seen) seen.Add(p.Code ?? 0); });
        var invoice = await KsefStatusPoller.WaitForAsync(
            ct => client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, sent.ReferenceNumber, ct), r => r.Status.Code, Polling, progress, Ct);
        Assert.Equal(200, invoice.Status.Code);
        Assert.Equal(KsefStatusAction.StoreResultAndDownloadUpo, KsefStatusAdvisor.ForInvoice(invoice.Status.Code).Action);
        Assert.True(KsefNumber.TryParse(invoice.KsefNumber, out var number));
        Assert.Equal(Nip, number.SellerNip);
        return (client, session.ReferenceNumber, invoice);
    }

    private Func<CancellationToken, Task<UpoLink?>> FreshLink(KsefClient client, string session, string invoice) => async ct =>
    {
        var status = await client.SessionStatus.GetSessionInvoiceAsync(session, invoice, ct);
        return status.UpoDownloadUrl is { } url ? new UpoLink(url, status.UpoDownloadUrlExpirationDate) : null;
    };

    private async Task<UpoVerifier> VerifierAsync()
    {
        var options = new UpoVerifierOptions();
        options.PinnedCertificates.Add(X509Certificate2.CreateFromPem(await sandbox.Http.GetStringAsync("sandbox/upo-certificate", Ct)));
        return new UpoVerifier(options);
    }

    [Fact]
    public async Task SentInvoiceReachesAcceptedAndItsUpoDownloadsVerifiesAndArchives()
    {
        var (client, session, invoice) = await SendAndWaitAsync();
        using var storage = new HttpClient();
        var downloaded = await new UpoDownloader(storage, new UpoDownloaderOptions { TimeProvider = sandbox.Clock, ExpirySkew = TimeSpan.Zero })
            .DownloadAsync(new UpoLink(invoice.UpoDownloadUrl!, invoice.UpoDownloadUrlExpirationDate), FreshLink(client, session, invoice.ReferenceNumber), Ct);
        var verified = (await VerifierAsync()).Verify(downloaded.Content, downloaded.Hash);
        var entry = Assert.Single(verified.Document.Documents);
        Assert.Equal(invoice.KsefNumber, entry.KsefNumber);
        Assert.Equal(invoice.InvoiceNumber, entry.InvoiceNumber);
        Assert.Equal(session, verified.Document.SessionReferenceNumber);

        var folder = Directory.CreateTempSubdirectory("ksefgen-upo-");
        try
        {
            var saved = await UpoArchive.SaveAsync(folder.FullName, entry, downloaded.Content, Ct);
            Assert.True(saved.Written);
            Assert.Equal($"{Nip}-", Path.GetFileName(saved.Path)[..11]);
            Assert.False((await UpoArchive.SaveAsync(folder.FullName, entry, downloaded.Content, Ct)).Written);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task LinkThatExpiredWhileWaitingIsRenewed()
    {
        var (client, session, invoice) = await SendAndWaitAsync();
        var link = new UpoLink(invoice.UpoDownloadUrl!, invoice.UpoDownloadUrlExpirationDate);
        sandbox.Clock.Advance(TimeSpan.FromMinutes(1));
        using var storage = new HttpClient();

        // The downloader's clock knows the link is past its date: it asks for a fresh one before using it.
        var known = await new UpoDownloader(storage, new UpoDownloaderOptions { TimeProvider = sandbox.Clock })
            .DownloadAsync(link, FreshLink(client, session, invoice.ReferenceNumber), Ct);
        Assert.Equal((1, 1), (known.Attempts, known.LinkRefreshes));

        // A downloader with a clock that disagrees finds out from the storage's 403 and renews the link then.
        var unaware = await new UpoDownloader(storage, new UpoDownloaderOptions { TimeProvider = new Frozen(link.ExpiresAt!.Value.AddMinutes(-10)) })
            .DownloadAsync(link, FreshLink(client, session, invoice.ReferenceNumber), Ct);
        Assert.Equal((2, 1), (unaware.Attempts, unaware.LinkRefreshes));
        Assert.Equal(known.Content, unaware.Content);
    }

    [Fact]
    public async Task HtmlPageFromTheStorageIsRetriedWithAFreshLink()
    {
        var (client, session, invoice) = await SendAndWaitAsync();
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path = "/storage/upo/*", kind = "html", status = 200, times = 1 }, Ct)).EnsureSuccessStatusCode();
        using var storage = new HttpClient();
        var downloaded = await new UpoDownloader(storage, new UpoDownloaderOptions { TimeProvider = sandbox.Clock, ExpirySkew = TimeSpan.Zero })
            .DownloadAsync(new UpoLink(invoice.UpoDownloadUrl!, invoice.UpoDownloadUrlExpirationDate), FreshLink(client, session, invoice.ReferenceNumber), Ct);
        Assert.Equal(2, downloaded.Attempts);
        (await VerifierAsync()).Verify(downloaded.Content, downloaded.Hash);
    }

    private sealed class Frozen(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
