using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Sending;

namespace KsefGen.Upo.Tests;

/// <summary>The runtime's KsefSender.ListSessionsAsync and GetSessionAsync (added for ksef-upo) against the sandbox.</summary>
public sealed class RuntimeSessionListTests(UpoSandbox sandbox) : IClassFixture<UpoSandbox>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<KsefSender> SenderAsync(int pageSize)
    {
        var plain = new HttpClient { BaseAddress = sandbox.Sandbox.BaseAddress };
        var tokens = await KsefAuthenticator.WithKsefTokenAsync(plain, sandbox.Nip, sandbox.Sandbox.Context.KsefToken, Ct);
        var api = new HttpClient(new KsefAccessTokenHandler(tokens) { InnerHandler = new HttpClientHandler() }) { BaseAddress = sandbox.Sandbox.BaseAddress };
        return new KsefSender(api, new KsefSenderOptions { InvoicePageSize = pageSize });
    }

    [Theory]
    [InlineData(KsefSessionType.Online)]
    [InlineData(KsefSessionType.Batch)]
    public async Task EverySessionOfATypeIsListedOnceAcrossPages(KsefSessionType type)
    {
        var sender = await SenderAsync(pageSize: 10);
        var expected = sandbox.Store.SessionsOf(sandbox.Nip).Where(s => s.IsBatch == (type == KsefSessionType.Batch)).ToList();
        Assert.True(expected.Count > 10 || type == KsefSessionType.Online);

        var listed = new List<KsefSessionSummary>();
        await foreach (var session in sender.ListSessionsAsync(type, null, null, Ct)) listed.Add(session);

        Assert.Equal(expected.Select(s => s.ReferenceNumber).Order(), listed.Select(s => s.ReferenceNumber).Order());
        Assert.All(listed, s => Assert.Equal(type, s.Type));
        foreach (var session in listed)
        {
            var record = expected.Single(s => s.ReferenceNumber == session.ReferenceNumber);
            Assert.Equal(record.Status, session.Code);
            Assert.Equal(record.Invoices.Count, session.TotalInvoiceCount);
        }
    }

    [Fact]
    public async Task TheCreationDateFilterKeepsOnlySessionsInTheRange()
    {
        var sender = await SenderAsync(pageSize: 10);
        var all = sandbox.Store.SessionsOf(sandbox.Nip).Where(s => s.IsBatch).OrderBy(s => s.Created).ToList();
        var from = all[3].Created;
        var to = all[^3].Created;

        var listed = new List<KsefSessionSummary>();
        await foreach (var session in sender.ListSessionsAsync(KsefSessionType.Batch, from, to, Ct)) listed.Add(session);

        Assert.Equal(all.Where(s => s.Created >= from && s.Created <= to).Select(s => s.ReferenceNumber).Order(), listed.Select(s => s.ReferenceNumber).Order());
    }

    [Fact]
    public async Task GetSessionGivesTheUpoPagesOfAnAcceptedSession()
    {
        var sender = await SenderAsync(pageSize: 100);
        var accepted = sandbox.Store.SessionsOf(sandbox.Nip).First(s => s.Status == 200);

        var session = await sender.GetSessionAsync(accepted.ReferenceNumber, Ct);

        Assert.Equal(200, session.Code);
        Assert.NotEmpty(session.UpoPages);
        var upo = await sender.DownloadSessionUpoAsync(accepted.ReferenceNumber, session.UpoPages[0], Ct);
        Assert.NotEmpty(upo.Content);
    }
}
