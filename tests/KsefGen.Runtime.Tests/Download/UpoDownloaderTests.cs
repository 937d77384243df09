using System.Net;
using System.Security.Cryptography;
using System.Text;
using KsefGen.Runtime.Upo;

namespace KsefGen.Runtime.Tests.Download;

public sealed class UpoDownloaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly byte[] Upo = Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><Potwierdzenie xmlns=\"http://upo.schematy.mf.gov.pl/KSeF/v4-3\"/>");

    private sealed class Storage(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(respond(request));
        }
    }

    private static HttpResponseMessage Xml(byte[] body, string? hash = "auto")
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new("application/xml");
        if (hash is not null) response.Headers.Add("x-ms-meta-hash", hash == "auto" ? Convert.ToBase64String(SHA256.HashData(body)) : hash);
        return response;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static UpoDownloader Downloader(Storage storage, int attempts = 4) =>
        new(new HttpClient(storage), new UpoDownloaderOptions { TimeProvider = new FixedClock(Now), MaxAttempts = attempts });

    private static Func<CancellationToken, Task<UpoLink?>> Fresh(List<string> calls, string url = "https://storage.example/fresh") =>
        _ =>
        {
            calls.Add(url);
            return Task.FromResult<UpoLink?>(new UpoLink(new Uri(url + calls.Count), Now.AddMinutes(60)));
        };

    [Fact]
    public async Task ValidLinkIsUsedAsIsWithoutAToken()
    {
        var storage = new Storage(_ => Xml(Upo));
        var refreshed = new List<string>();
        var result = await Downloader(storage).DownloadAsync(new UpoLink(new Uri("https://storage.example/upo"), Now.AddMinutes(5)), Fresh(refreshed), Ct);
        Assert.Equal(Upo, result.Content);
        Assert.Empty(refreshed);
        Assert.Null(Assert.Single(storage.Requests).Headers.Authorization);
        Assert.Equal((1, 0), (result.Attempts, result.LinkRefreshes));
    }

    [Fact]
    public async Task ExpiredLinkIsReplacedBeforeItIsUsed()
    {
        var storage = new Storage(_ => Xml(Upo));
        var refreshed = new List<string>();
        // Expires in 10 s: inside the 30 s skew margin, so it counts as expired already.
        var result = await Downloader(storage).DownloadAsync(new UpoLink(new Uri("https://storage.example/old"), Now.AddSeconds(10)), Fresh(refreshed), Ct);
        Assert.Single(refreshed);
        Assert.StartsWith("https://storage.example/fresh", Assert.Single(storage.Requests).RequestUri!.ToString());
        Assert.Equal(1, result.LinkRefreshes);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task FailingLinkIsReplacedAndRetried(HttpStatusCode status)
    {
        var calls = 0;
        var storage = new Storage(_ => ++calls == 1 ? new HttpResponseMessage(status) { Content = new StringContent("<Error><Code>AuthenticationFailed</Code></Error>") } : Xml(Upo));
        var refreshed = new List<string>();
        var result = await Downloader(storage).DownloadAsync(new UpoLink(new Uri("https://storage.example/upo"), Now.AddMinutes(5)), Fresh(refreshed), Ct);
        Assert.Equal(Upo, result.Content);
        Assert.Equal(2, result.Attempts);
        Assert.Single(refreshed);
    }

    [Fact]
    public async Task HtmlPageInsteadOfXmlIsNotAUpo()
    {
        var calls = 0;
        var storage = new Storage(_ => ++calls == 1
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", Encoding.UTF8, "text/plain") }
            : Xml(Upo));
        var result = await Downloader(storage).DownloadAsync(null, Fresh([]), Ct);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, result.LinkRefreshes);
    }

    [Fact]
    public async Task HashMismatchIsAVerificationFailureNotARetry()
    {
        var storage = new Storage(_ => Xml(Upo, Convert.ToBase64String(new byte[32])));
        var error = await Assert.ThrowsAsync<UpoVerificationException>(() => Downloader(storage).DownloadAsync(null, Fresh([]), Ct));
        Assert.Equal(UpoVerificationFailure.HashMismatch, error.Failure);
        Assert.Single(storage.Requests);
    }

    [Fact]
    public async Task AttemptsAreBoundedAndExplained()
    {
        var storage = new Storage(_ => new HttpResponseMessage(HttpStatusCode.Forbidden));
        var refreshed = new List<string>();
        var error = await Assert.ThrowsAsync<UpoDownloadException>(() => Downloader(storage, attempts: 3).DownloadAsync(null, Fresh(refreshed), Ct));
        Assert.Equal(3, storage.Requests.Count);
        Assert.Equal(3, refreshed.Count);
        Assert.Equal(3, error.Attempts.Count);
        Assert.Contains("403", error.Message);
    }

    [Fact]
    public async Task NoLinkInTheStatusMeansNoUpoYet()
    {
        var storage = new Storage(_ => Xml(Upo));
        var error = await Assert.ThrowsAsync<UpoDownloadException>(() => Downloader(storage).DownloadAsync(null, _ => Task.FromResult<UpoLink?>(null), Ct));
        Assert.Contains("no UPO link", error.Message);
        Assert.Empty(storage.Requests);
    }
}
