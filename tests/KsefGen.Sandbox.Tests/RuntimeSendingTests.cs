using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Sending;
using KsefGen.Runtime.Status;
using KsefGen.Runtime.Upo;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// The runtime's authentication and sending against the sandbox, written as a user would: no crypto, no hashes, no
/// second client. Each test starts from a KSeF token and ends with verified, archived UPOs.
/// </summary>
public sealed class RuntimeSendingTests(QuickSandbox sandbox) : IClassFixture<QuickSandbox>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KsefPollingOptions Fast => new()
    {
        InitialInterval = TimeSpan.FromMilliseconds(200),
        MaxInterval = TimeSpan.FromMilliseconds(500),
        Deadline = TimeSpan.FromSeconds(60),
        RetryAfter = KsefGen.Runtime.Api.KsefRequestException.RateLimitWait,
    };

    private readonly ListLogger _log = new();

    private HttpClient Plain() => new() { BaseAddress = new Uri(sandbox.BaseAddress, "v2/") };

    private async Task<(string Nip, string Token)> SeededContextAsync(int index)
    {
        var contexts = await sandbox.Http.GetFromJsonAsync<List<KsefGen.Sandbox.Control.ContextInfo>>("sandbox/contexts", Ct);
        // Seeded contexts come with a KSeF token; contexts created by a fresh NIP's login (other tests) have none.
        var seeded = contexts!.Where(c => c.KsefToken is not null).ToList();
        var context = seeded[index % seeded.Count];
        return (context.Nip, context.KsefToken!);
    }

    private async Task<UpoVerifier> VerifierAsync()
    {
        var options = new UpoVerifierOptions();
        options.PinnedCertificates.Add(X509Certificate2.CreateFromPem(await sandbox.Http.GetStringAsync("sandbox/upo-certificate", Ct)));
        return new UpoVerifier(options);
    }

    private async Task<(KsefSender Sender, KsefTokenSession Session)> SenderAsync(int context)
    {
        var (nip, token) = await SeededContextAsync(context);
        var plain = Plain();
        var session = await new KsefAuthenticator(plain, new KsefAuthenticatorOptions { Polling = Fast }).AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(nip), token, Ct);
        var api = new HttpClient(new KsefAccessTokenHandler(session) { InnerHandler = new HttpClientHandler() }) { BaseAddress = plain.BaseAddress };
        return (new KsefSender(api, new KsefSenderOptions { Polling = Fast, Logger = _log }), session);
    }

    [Fact]
    public async Task KsefTokenAuthenticatesInOneCallAndTheTokensWork()
    {
        var (nip, token) = await SeededContextAsync(0);
        using var plain = Plain();

        var session = await KsefAuthenticator.WithKsefTokenAsync(plain, nip, token, Ct);

        Assert.True(session.AccessToken.ValidUntil > DateTimeOffset.UtcNow);
        Assert.NotNull(session.RefreshToken);
        using var api = new HttpClient(new KsefAccessTokenHandler(session) { InnerHandler = new HttpClientHandler() }) { BaseAddress = plain.BaseAddress };
        using var sessions = await api.GetAsync("sessions?sessionType=Online&pageSize=10", Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, sessions.StatusCode);
    }

    [Theory]
    [InlineData(KsefKeyType.Rsa)]
    [InlineData(KsefKeyType.Ecdsa)]
    public async Task ACertificateAuthenticatesAFreshNipInOneCall(KsefKeyType keyType)
    {
        var nip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        using var certificate = KsefTestCertificates.ForNip(nip, keyType);
        using var plain = Plain();

        var session = await KsefAuthenticator.WithCertificateAsync(plain, nip, certificate, Ct);

        Assert.Equal(nip, Claim(session.AccessToken.Token, "civ"));
        Assert.True(sandbox.Store.HasContext(nip));
    }

    [Fact]
    public async Task AKsefTokenGeneratedForAFreshNipAuthenticatesInOneCall()
    {
        var nip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        using var certificate = KsefTestCertificates.ForNip(nip);
        using var plain = Plain();
        var owner = await KsefAuthenticator.WithCertificateAsync(plain, nip, certificate, Ct);
        using var api = new HttpClient(new KsefAccessTokenHandler(owner) { InnerHandler = new HttpClientHandler() }) { BaseAddress = plain.BaseAddress };
        using var generated = await api.PostAsJsonAsync("tokens", new { permissions = new[] { "InvoiceWrite", "InvoiceRead" }, description = "ERP" }, Ct);
        generated.EnsureSuccessStatusCode();
        var body = await generated.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Ct);
        var token = body.GetProperty("token").GetString()!;
        var reference = body.GetProperty("referenceNumber").GetString()!;
        while ((await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"tokens/{reference}", Ct)).GetProperty("status").GetString() != "Active")
        {
            await Task.Delay(100, Ct);
        }

        var session = await KsefAuthenticator.WithKsefTokenAsync(plain, nip, token, Ct);

        Assert.Equal(nip, Claim(session.AccessToken.Token, "civ"));
        Assert.NotEqual(owner.AccessToken.Token, session.AccessToken.Token);
    }

    [Fact]
    public async Task TheGeneratedAuthOperationsWorkOnOneClientWithoutHandlers()
    {
        var nip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        using var certificate = KsefTestCertificates.ForNip(nip, KsefKeyType.Ecdsa);
        var client = new KsefGen.Sandbox.Tests.Client.KsefClient(Plain());

        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);
        var signed = KsefXadesSigner.Sign(KsefAuthTokenRequest.Create(challenge.Challenge, KsefContextIdentifier.Nip(nip)), certificate);
        var started = await client.Authentication.SubmitXadesAuthRequestAsync(System.Text.Encoding.UTF8.GetString(signed), cancellationToken: Ct);
        var operation = client.Authentication.WithBearerToken(started.AuthenticationToken.Token);
        var status = await KsefStatusPoller.WaitForAsync(ct => operation.GetAuthStatusAsync(started.ReferenceNumber, ct), s => s.Status.Code, Fast, cancellationToken: Ct);
        var tokens = await operation.RedeemTokenAsync(Ct);
        var refreshed = await client.Authentication.WithBearerToken(tokens.RefreshToken.Token).RefreshAccessTokenAsync(Ct);
        var sessions = await client.SessionStatus.WithBearerToken(refreshed.AccessToken.Token)
            .GetSessionsAsync(KsefGen.Sandbox.Tests.Client.SessionType.Online, cancellationToken: Ct);

        Assert.Equal(200, status.Status.Code);
        Assert.Equal(nip, Claim(refreshed.AccessToken.Token, "civ"));
        Assert.Empty(sessions.Sessions);
        // The client itself still sends no token: the copies carry theirs.
        await Assert.ThrowsAsync<KsefGen.Sandbox.Tests.Client.KsefApiException>(() => client.SessionStatus.GetSessionsAsync(KsefGen.Sandbox.Tests.Client.SessionType.Online, cancellationToken: Ct));
    }

    [Fact]
    public async Task AWrongKsefTokenEndsInATypedFailureWithAdvice()
    {
        var (nip, _) = await SeededContextAsync(0);
        using var plain = Plain();
        var authenticator = new KsefAuthenticator(plain, new KsefAuthenticatorOptions { Polling = Fast });

        var failure = await Assert.ThrowsAsync<KsefAuthenticationException>(() =>
            authenticator.AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(nip), "not-a-token-of-this-context", Ct));

        Assert.Equal(450, failure.StatusCode);
        Assert.Equal(KsefStatusAction.AuthenticateAgain, failure.Advice.Action);
        Assert.Contains("450", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThreeInvoicesGoThroughAnOnlineSessionToVerifiedArchivedUpos()
    {
        var (sender, _) = await SenderAsync(1);
        var (nip, _) = await SeededContextAsync(1);

        await using var session = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        var sent = new List<KsefSentInvoice>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(await session.SendInvoiceAsync(KsefTestKit.Invoice(nip, $"RT/{Guid.NewGuid():N}"), Ct));
        }
        var result = await session.CloseAndWaitAsync(Ct);

        Assert.Equal(200, result.Code);
        Assert.Equal(3, result.Invoices.Count);
        Assert.Equal(sent.Select(s => s.ReferenceNumber).Order(), result.Invoices.Select(i => i.ReferenceNumber).Order());
        var verifier = await VerifierAsync();
        var folder = Directory.CreateTempSubdirectory("ksefgen-rt-");
        try
        {
            foreach (var invoice in result.Invoices)
            {
                Assert.Equal(200, invoice.Code);
                Assert.Equal(KsefStatusAction.StoreResultAndDownloadUpo, invoice.Advice.Action);
                var upo = await sender.DownloadInvoiceUpoAsync(invoice, Ct);
                var verified = verifier.Verify(upo.Content, upo.Hash);
                Assert.Equal(invoice.KsefNumber, Assert.Single(verified.Document.Documents).KsefNumber);
                Assert.True((await UpoArchive.SaveInvoiceUpoAsync(folder.FullName, upo.Content, Ct)).Written);
            }
            var page = Assert.Single(result.UpoPages);
            var sessionUpo = await sender.DownloadSessionUpoAsync(result.ReferenceNumber, page, Ct);
            Assert.Equal(3, verifier.Verify(sessionUpo.Content, sessionUpo.Hash).Document.Documents.Count);
            var pageFile = await UpoArchive.SaveSessionUpoAsync(folder.FullName, page.ReferenceNumber, sessionUpo.Content, Ct);
            Assert.Equal($"{nip}-{result.ReferenceNumber}-{page.ReferenceNumber}-upo.xml", Path.GetFileName(pageFile.Path));
            Assert.Equal(4, Directory.GetFiles(folder.FullName).Length);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AThousandInvoicesGoThroughABatchOfSeveralPartsToTheirUpos()
    {
        var (sender, _) = await SenderAsync(2);
        var (nip, _) = await SeededContextAsync(2);
        var run = Guid.NewGuid().ToString("N")[..8];
        var invoices = Enumerable.Range(1, 1000).Select(i => KsefInvoiceFile.FromBytes($"fv-{i:D4}.xml", KsefTestKit.Invoice(nip, $"B/{run}/{i}"))).ToList();
        // The first part upload fails once with a 503: the sender tries it again.
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path = "/storage/batch/*", kind = "status", status = 503, times = 1 }, Ct)).EnsureSuccessStatusCode();
        var progress = new List<KsefBatchProgress>();

        var submission = await sender.SendBatchAsync(KsefFormCode.Fa3, invoices,
            new KsefBatchOptions { MaxPartSize = 64 * 1024, Progress = new SynchronousProgress<KsefBatchProgress>(progress.Add) }, Ct);
        var result = await sender.WaitForSessionAsync(submission.ReferenceNumber, null, Ct);

        Assert.True(submission.PartCount >= 2, $"{submission.PartCount} parts");
        Assert.Contains(_log.Lines, l => l.Contains($"{submission.ReferenceNumber}: part 1 failed (HTTP 503); trying again", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.Contains($"{submission.ReferenceNumber}: part 1 uploaded", StringComparison.Ordinal) && l.Contains("attempt 2", StringComparison.Ordinal));
        Assert.Equal(submission.PartCount, progress.Count);
        Assert.Equal(200, result.Code);
        Assert.Equal(1000, result.SuccessfulInvoiceCount);
        Assert.Equal(1000, result.Invoices.Count);
        Assert.All(result.Invoices, i => Assert.Equal(200, i.Code));
        Assert.Equal(invoices.Select(i => i.FileName).Order(), result.Invoices.Select(i => i.InvoiceFileName!).Order());
        Assert.All(result.Invoices, i => Assert.Equal(submission.InvoiceHashes[i.InvoiceFileName!], i.InvoiceHash));
        var verifier = await VerifierAsync();
        var documents = 0;
        foreach (var page in result.UpoPages)
        {
            var upo = await sender.DownloadSessionUpoAsync(result.ReferenceNumber, page, Ct);
            documents += verifier.Verify(upo.Content, upo.Hash).Document.Documents.Count;
        }
        Assert.Equal(1000, documents);
        var one = await sender.DownloadInvoiceUpoAsync(result.Invoices[500], Ct);
        Assert.Equal(result.Invoices[500].KsefNumber, Assert.Single(verifier.Verify(one.Content, one.Hash).Document.Documents).KsefNumber);
    }

    [Fact]
    public async Task ABatchMayBeATarGzPackage()
    {
        var (sender, _) = await SenderAsync(3);
        var (nip, _) = await SeededContextAsync(3);
        var invoices = Enumerable.Range(1, 5).Select(i => KsefInvoiceFile.FromBytes($"t-{i}.xml", KsefTestKit.Invoice(nip, $"T/{Guid.NewGuid():N}"))).ToList();

        var submission = await sender.SendBatchAsync(KsefFormCode.Fa3, invoices, new KsefBatchOptions { Compression = KsefBatchCompression.TarGz }, Ct);
        var result = await sender.WaitForSessionAsync(submission.ReferenceNumber, null, Ct);

        Assert.Equal(200, result.Code);
        Assert.Equal(5, result.Invoices.Count(i => i.Code == 200));
    }

    [Fact]
    public async Task ADuplicateInOnlineSessionIsReportedWithItsOriginal()
    {
        var (sender, _) = await SenderAsync(4);
        var (nip, _) = await SeededContextAsync(4);
        var xml = KsefTestKit.Invoice(nip, $"D/{Guid.NewGuid():N}");
        await using var first = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        await first.SendInvoiceAsync(xml, Ct);
        var original = Assert.Single((await first.CloseAndWaitAsync(Ct)).Invoices);

        await using var second = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        await second.SendInvoiceAsync(xml, Ct);
        var duplicate = Assert.Single((await second.CloseAndWaitAsync(Ct)).Invoices);

        Assert.Equal(440, duplicate.Code);
        Assert.Equal(KsefStatusAction.FindOriginal, duplicate.Advice.Action);
        Assert.Equal(original.KsefNumber, duplicate.Advice.Duplicate?.OriginalKsefNumber);
    }

    [Fact]
    public async Task SendingIntoASessionClosedElsewhereIsATypedErrorWithTheCodesMeaning()
    {
        var (sender, tokens) = await SenderAsync(0);
        var (nip, _) = await SeededContextAsync(0);
        var session = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        // Another process closes the session behind this object's back.
        using var other = new HttpClient(new KsefAccessTokenHandler(tokens) { InnerHandler = new HttpClientHandler() }) { BaseAddress = new Uri(sandbox.BaseAddress, "v2/") };
        (await other.PostAsync($"sessions/online/{session.ReferenceNumber}/close", null, Ct)).EnsureSuccessStatusCode();

        var refused = await Assert.ThrowsAsync<KsefGen.Runtime.Api.KsefRequestException>(() => session.SendInvoiceAsync(KsefTestKit.Invoice(nip, "X/1"), Ct));

        Assert.Equal(21180, refused.ExceptionCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True(refused.Info!.IsKnown);
        Assert.Contains("Session status does not allow the operation", refused.Message, StringComparison.Ordinal);
        Assert.Empty(session.Sent);
    }

    [Fact]
    public async Task TwoContextsInOneServiceProviderNeverShareAToken()
    {
        var contexts = new[] { await SeededContextAsync(0), await SeededContextAsync(1) };
        Assert.NotEqual(contexts[0].Nip, contexts[1].Nip);
        var services = new ServiceCollection();
        foreach (var (nip, token) in contexts)
        {
            services.AddKsefClient<KsefGen.Sandbox.Tests.Client.KsefClient>(nip, o =>
            {
                o.BaseAddress = new Uri(sandbox.BaseAddress, "v2/");
                o.AuthenticateWithKsefToken(KsefContextIdentifier.Nip(nip), token);
                o.Authentication.Polling = Fast;
                o.Sending.Polling = Fast;
            });
        }
        await using var provider = services.BuildServiceProvider();

        var numbers = new Dictionary<string, string>();
        foreach (var (nip, _) in contexts)
        {
            var sender = provider.GetRequiredKeyedService<KsefSender>(nip);
            await using var session = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
            await session.SendInvoiceAsync(KsefTestKit.Invoice(nip, $"K/{Guid.NewGuid():N}"), Ct);
            numbers[nip] = Assert.Single((await session.CloseAndWaitAsync(Ct)).Invoices).KsefNumber!;
            // The generated client of the same registration sees that session in its own context.
            var client = provider.GetRequiredKeyedService<KsefGen.Sandbox.Tests.Client.KsefClient>(nip);
            var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct);
            Assert.Equal(200, status.Status.Code);
        }

        var tokens = contexts.Select(c => provider.GetRequiredKeyedService<KsefAuthenticatedTokens>(c.Nip)).ToList();
        Assert.All(tokens, t => Assert.Equal(1, t.Authentications));
        Assert.NotEqual(tokens[0].Session!.AccessToken.Token, tokens[1].Session!.AccessToken.Token);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(contexts[i].Nip, Claim(tokens[i].Session!.AccessToken.Token, "civ"));
            Assert.True(KsefNumber.TryParse(numbers[contexts[i].Nip], out var number));
            Assert.Equal(contexts[i].Nip, number.SellerNip);
        }
    }

    private static string? Claim(string jwt, string name)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part += new string('=', (4 - part.Length % 4) % 4);
        using var document = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(part));
        return document.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }

    /// <summary>Collects what the runtime logs at Information level.</summary>
    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get { lock (_lines) return _lines.ToList(); }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value)
        {
            lock (this) report(value);
        }
    }
}
