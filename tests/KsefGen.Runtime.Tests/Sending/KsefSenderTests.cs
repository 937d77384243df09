using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KsefGen.Runtime.Api;
using KsefGen.Runtime.Sending;
using KsefGen.Runtime.Status;
using KsefGen.Runtime.Tests.Http;

namespace KsefGen.Runtime.Tests.Sending;

public sealed class KsefSenderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Now = FakeKsefApi.Now;

    internal const string Online = "20261120-SO-2222222222-ABCDEF2222-01";
    private const string Batch = "20261120-SB-4444444444-ABCDEF4444-01";
    private const string AccessBearer = "Bearer access-jwt";

    internal static string InvoiceReference(int n) => $"20261120-EE-{n:D10}-ABCDEF3333-01";

    private static string PartUrl(int ordinal) => $"https://storage.example/ksef-batch/{Batch}/part-{ordinal:D2}";

    /// <summary>A sender over the fake, as a user builds it: the API client adds the access token, storage is a plain client.</summary>
    internal static KsefSender Sender(FakeKsefApi api, Action<KsefSenderOptions>? configure = null)
    {
        var clock = new InstantTimeProvider();
        var http = new HttpClient(api) { BaseAddress = HttpTestKit.Base };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "access-jwt");
        var options = new KsefSenderOptions { Storage = new HttpClient(api), TimeProvider = clock };
        options.Polling.TimeProvider = clock;
        configure?.Invoke(options);
        return new KsefSender(http, options);
    }

    /// <summary>KSeF with an online session that takes invoices and closes.</summary>
    internal static FakeKsefApi OnlineKsef() => new FakeKsefApi()
        .ServeKeys(MinistryKey.A.Entry())
        .On(HttpMethod.Post, "sessions/online", (_, _) => FakeKsefApi.Json(HttpStatusCode.Created, new { referenceNumber = Online, validUntil = Now.AddHours(12) }))
        .On(HttpMethod.Post, $"sessions/online/{Online}/invoices", (_, n) => FakeKsefApi.Json(HttpStatusCode.Accepted, new { referenceNumber = InvoiceReference(n + 1) }))
        .On(HttpMethod.Post, $"sessions/online/{Online}/close", (_, _) => FakeKsefApi.Empty(HttpStatusCode.NoContent));

    internal static byte[] Invoice(int n, int randomBytes = 200) =>
        Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Faktura><P_2>FA/2026/11/{n:D3}</P_2><Uwagi>Zażółć gęślą jaźń {Convert.ToHexString(RandomNumberGenerator.GetBytes(randomBytes))}</Uwagi></Faktura>");

    private static (byte[] Key, byte[] Iv) SessionKey(JsonElement openRequest, MinistryKey ministry)
    {
        var encryption = openRequest.GetProperty("encryption");
        Assert.Equal(ministry.PublicKeyId, encryption.GetProperty("publicKeyId").GetBytesFromBase64());
        var key = ministry.Decrypt(encryption.GetProperty("encryptedSymmetricKey").GetBytesFromBase64());
        var iv = encryption.GetProperty("initializationVector").GetBytesFromBase64();
        Assert.Equal(32, key.Length);
        Assert.Equal(16, iv.Length);
        return (key, iv);
    }

    // ---------------------------------------------------------------- online

    [Fact]
    public async Task An_invoice_sent_online_decrypts_with_the_wrapped_session_key_to_the_original_bytes_and_its_hashes_and_sizes_match()
    {
        var api = OnlineKsef();
        var sender = Sender(api);
        var first = Invoice(1);
        var second = Invoice(2, 3000);

        var session = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        var sent1 = await session.SendInvoiceAsync(first, Ct);
        var sent2 = await session.SendInvoiceAsync(second, Ct);
        await session.CloseAsync(Ct);

        Assert.Equal(Online, session.ReferenceNumber);
        Assert.Equal(Now.AddHours(12), session.ValidUntil);
        var open = Assert.Single(api.CallsTo(HttpMethod.Post, "sessions/online")).Json();
        var formCode = open.GetProperty("formCode");
        Assert.Equal(("FA (3)", "1-0E", "FA"), (formCode.GetProperty("systemCode").GetString(), formCode.GetProperty("schemaVersion").GetString(), formCode.GetProperty("value").GetString()));
        var (key, iv) = SessionKey(open, MinistryKey.A);

        var sends = api.CallsTo(HttpMethod.Post, $"sessions/online/{Online}/invoices").Select(c => c.Json()).ToList();
        Assert.Equal(2, sends.Count);
        foreach (var (request, original) in sends.Zip([first, second]))
        {
            var encrypted = request.GetProperty("encryptedInvoiceContent").GetBytesFromBase64();
            Assert.Equal(original, SessionCipher.Decrypt(key, iv, encrypted));
            Assert.Equal(SHA256.HashData(original), request.GetProperty("invoiceHash").GetBytesFromBase64());
            Assert.Equal(original.Length, request.GetProperty("invoiceSize").GetInt64());
            Assert.Equal(SHA256.HashData(encrypted), request.GetProperty("encryptedInvoiceHash").GetBytesFromBase64());
            Assert.Equal(encrypted.Length, request.GetProperty("encryptedInvoiceSize").GetInt64());
            Assert.False(request.TryGetProperty("offlineMode", out _), "offlineMode is left out when false");
            Assert.False(request.TryGetProperty("hashOfCorrectedInvoice", out _));
        }

        Assert.Equal(InvoiceReference(1), sent1.ReferenceNumber);
        Assert.Equal(SHA256.HashData(first), sent1.InvoiceHash);
        Assert.Equal(first.Length, sent1.InvoiceSize);
        Assert.Equal(InvoiceReference(2), sent2.ReferenceNumber);
        Assert.Equal([InvoiceReference(1), InvoiceReference(2)], session.Sent.Select(s => s.ReferenceNumber));
        Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/online/{Online}/close"));
        Assert.All(api.Calls, c => Assert.Equal(AccessBearer, c.Authorization));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.SendInvoiceAsync(first, Ct));
    }

    [Fact]
    public async Task A_technical_correction_sends_the_hash_of_the_corrected_invoice_and_offline_mode()
    {
        var api = OnlineKsef();
        var session = await Sender(api).OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        var rejected = Invoice(7);

        await session.SendInvoiceAsync(Invoice(8), new KsefInvoiceSendOptions { OfflineMode = true, CorrectedInvoice = rejected }, Ct);

        var request = Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/online/{Online}/invoices")).Json();
        Assert.True(request.GetProperty("offlineMode").GetBoolean());
        Assert.Equal(SHA256.HashData(rejected), request.GetProperty("hashOfCorrectedInvoice").GetBytesFromBase64());
    }

    [Fact]
    public async Task Disposing_an_unclosed_online_session_closes_it()
    {
        var api = OnlineKsef();
        await using (var session = await Sender(api).OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct))
        {
            await session.SendInvoiceAsync(Invoice(1), Ct);
        }

        Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/online/{Online}/close"));
    }

    [Fact]
    public async Task Opening_an_online_session_after_21470_fetches_the_keys_again_and_retries_once_with_the_new_key()
    {
        var api = OnlineKsef()
            .ServeKeys(n => n == 0 ? [MinistryKey.A.Entry()] : [MinistryKey.B.Entry()])
            .On(HttpMethod.Post, "sessions/online", (_, n) => n == 0
                ? FakeKsefApi.LegacyError(21470, "Nieznany klucz publiczny.")
                : FakeKsefApi.Json(HttpStatusCode.Created, new { referenceNumber = Online, validUntil = Now.AddHours(12) }));
        var sender = Sender(api);
        var invoice = Invoice(1);

        var session = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        await session.SendInvoiceAsync(invoice, Ct);

        Assert.Equal(2, api.KeyFetches);
        Assert.Equal(2, sender.PublicKeys.Fetches);
        var opens = api.CallsTo(HttpMethod.Post, "sessions/online").Select(c => c.Json()).ToList();
        Assert.Equal(2, opens.Count);
        SessionKey(opens[0], MinistryKey.A);
        var (key, iv) = SessionKey(opens[1], MinistryKey.B);
        // The session key that was accepted is the one the invoice is encrypted with.
        var sent = Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/online/{Online}/invoices")).Json();
        Assert.Equal(invoice, SessionCipher.Decrypt(key, iv, sent.GetProperty("encryptedInvoiceContent").GetBytesFromBase64()));
    }

    [Fact]
    public async Task Opening_an_online_session_refused_with_21470_twice_fails_with_the_KSeF_error()
    {
        var api = OnlineKsef().On(HttpMethod.Post, "sessions/online", (_, _) => FakeKsefApi.LegacyError(21470, "Nieznany klucz publiczny."));

        var error = await Assert.ThrowsAsync<KsefRequestException>(() => Sender(api).OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct));

        Assert.Equal(21470, error.ExceptionCode);
        Assert.True(error.Info?.IsKnown);
        Assert.Equal("POST sessions/online", error.Operation);
        Assert.Equal(2, api.CallsTo(HttpMethod.Post, "sessions/online").Count);
        Assert.Equal(2, api.KeyFetches);
    }

    [Fact]
    public async Task Opening_an_online_session_refused_for_another_reason_is_not_retried()
    {
        var api = OnlineKsef().On(HttpMethod.Post, "sessions/online", (_, _) => FakeKsefApi.LegacyError(21405, "Błąd walidacji danych wejściowych.", "svc", "formCode: unknown"));

        var error = await Assert.ThrowsAsync<KsefRequestException>(() => Sender(api).OpenOnlineSessionAsync(new KsefFormCode("FA (9)", "1-0E", "FA"), Ct));

        Assert.Equal(21405, error.ExceptionCode);
        Assert.Single(api.CallsTo(HttpMethod.Post, "sessions/online"));
        Assert.Equal(1, api.KeyFetches);
    }

    // ---------------------------------------------------------------- batch

    /// <summary>
    /// KSeF with a batch session: the open answers one upload request per declared part (in reverse order, with storage
    /// headers); <paramref name="upload"/> answers each PUT given the part and how many PUTs that part had before.
    /// </summary>
    private static FakeKsefApi BatchKsef(Func<int, int, HttpStatusCode>? upload = null, string method = "PUT")
    {
        var api = new FakeKsefApi()
            .ServeKeys(MinistryKey.A.Entry())
            .On(HttpMethod.Post, "sessions/batch", (call, _) =>
            {
                var parts = call.Json().GetProperty("batchFile").GetProperty("fileParts").GetArrayLength();
                return FakeKsefApi.Json(HttpStatusCode.Created, new
                {
                    referenceNumber = Batch,
                    partUploadRequests = Enumerable.Range(1, parts).Reverse().Select(i => new
                    {
                        ordinalNumber = i,
                        method,
                        url = PartUrl(i) + "?sv=2025-01-05&se=2026-11-20T11%3A00%3A00Z&sig=c2lnbmF0dXJl",
                        headers = new Dictionary<string, string> { ["x-ms-blob-type"] = "BlockBlob", ["Content-Type"] = "application/octet-stream" },
                    }).ToList(),
                });
            })
            .On(HttpMethod.Post, $"sessions/batch/{Batch}/close", (_, _) => FakeKsefApi.Empty(HttpStatusCode.NoContent));
        for (var i = 1; i <= KsefSender.MaxParts; i++)
        {
            var ordinal = i;
            api.On(new HttpMethod(method), PartUrl(i), (_, n) => FakeKsefApi.Empty(upload?.Invoke(ordinal, n) ?? HttpStatusCode.Created));
        }
        return api;
    }

    /// <summary>
    /// Checks each declared part against its last upload (size, SHA-256), decrypts the parts with the session key and
    /// checks the joined package against the declared size and SHA-256; returns the package.
    /// </summary>
    private static byte[] Reassemble(FakeKsefApi api, long maxPartSize, out JsonElement open)
    {
        open = Assert.Single(api.CallsTo(HttpMethod.Post, "sessions/batch")).Json();
        var (key, iv) = SessionKey(open, MinistryKey.A);
        var batchFile = open.GetProperty("batchFile");
        var declared = batchFile.GetProperty("fileParts").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, declared.Count), declared.Select(p => p.GetProperty("ordinalNumber").GetInt32()));
        using var package = new MemoryStream();
        foreach (var part in declared)
        {
            var uploaded = api.CallsTo(HttpMethod.Put, PartUrl(part.GetProperty("ordinalNumber").GetInt32()))[^1].Body;
            Assert.Equal(part.GetProperty("fileSize").GetInt64(), uploaded.Length);
            Assert.Equal(part.GetProperty("fileHash").GetBytesFromBase64(), SHA256.HashData(uploaded));
            var plain = SessionCipher.Decrypt(key, iv, uploaded);
            Assert.InRange(plain.Length, 1, maxPartSize);
            package.Write(plain);
        }
        var bytes = package.ToArray();
        Assert.Equal(batchFile.GetProperty("fileSize").GetInt64(), bytes.Length);
        Assert.Equal(batchFile.GetProperty("fileHash").GetBytesFromBase64(), SHA256.HashData(bytes));
        Assert.Equal((bytes.Length + maxPartSize - 1) / maxPartSize, declared.Count);
        return bytes;
    }

    private static Dictionary<string, byte[]> Invoices(int count, int randomBytes) =>
        Enumerable.Range(1, count).ToDictionary(i => $"faktura-{i:D3}.xml", i => Invoice(i, randomBytes));

    private static IEnumerable<KsefInvoiceFile> Files(Dictionary<string, byte[]> invoices) =>
        invoices.Select(kv => KsefInvoiceFile.FromBytes(kv.Key, kv.Value));

    [Fact]
    public async Task A_zip_batch_is_split_by_MaxPartSize_encrypted_declared_and_uploaded_to_the_presigned_urls_without_a_bearer_then_closed()
    {
        var api = BatchKsef();
        var invoices = Invoices(5, 3000);
        var progress = new RecordingProgress<KsefBatchProgress>();
        var staging = Directory.CreateTempSubdirectory("ksefgen-test-");
        try
        {
            const long maxPartSize = 4096;
            var submission = await Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(invoices),
                new KsefBatchOptions { MaxPartSize = maxPartSize, Progress = progress, WorkingDirectory = staging.FullName }, Ct);

            var package = Reassemble(api, maxPartSize, out var open);
            Assert.InRange(submission.PartCount, 3, KsefSender.MaxParts);
            Assert.Equal(open.GetProperty("batchFile").GetProperty("fileParts").GetArrayLength(), submission.PartCount);
            Assert.Equal(package.Length, submission.PackageSize);
            Assert.Equal(Batch, submission.ReferenceNumber);
            Assert.Equal(invoices.Keys.Order(), submission.InvoiceHashes.Keys.Order());
            Assert.All(invoices, kv => Assert.Equal(SHA256.HashData(kv.Value), submission.InvoiceHashes[kv.Key]));
            Assert.False(open.GetProperty("batchFile").TryGetProperty("compressionType", out _), "a ZIP declares no compressionType");
            Assert.False(open.TryGetProperty("offlineMode", out _));
            Assert.Equal("FA (3)", open.GetProperty("formCode").GetProperty("systemCode").GetString());

            using (var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read))
            {
                Assert.Equal(invoices.Keys.Order(), zip.Entries.Select(e => e.FullName).Order());
                foreach (var entry in zip.Entries)
                {
                    using var content = new MemoryStream();
                    using (var stream = entry.Open()) stream.CopyTo(content);
                    Assert.Equal(invoices[entry.FullName], content.ToArray());
                }
            }

            var uploads = api.Calls.Where(c => c.Url.Host == "storage.example").ToList();
            Assert.Equal(submission.PartCount, uploads.Count);
            Assert.All(uploads, u =>
            {
                Assert.Equal(HttpMethod.Put, u.Method);
                Assert.Null(u.Authorization);
                Assert.Equal("BlockBlob", u.Header("x-ms-blob-type"));
                Assert.Equal("application/octet-stream", u.Header("Content-Type"));
                Assert.Equal("?sv=2025-01-05&se=2026-11-20T11%3A00%3A00Z&sig=c2lnbmF0dXJl", u.Url.Query);
            });
            // Uploaded in part order although KSeF listed the links in reverse.
            Assert.Equal(Enumerable.Range(1, submission.PartCount).Select(PartUrl), uploads.Select(u => u.Url.GetLeftPart(UriPartial.Path)));
            Assert.All(api.Calls.Where(c => c.Url.Host == HttpTestKit.Base.Host), c => Assert.Equal(AccessBearer, c.Authorization));

            // Closed after the last upload.
            Assert.Equal(FakeKsefApi.Key(HttpMethod.Post, $"sessions/batch/{Batch}/close"), api.Calls[^1].Route);
            Assert.Equal(Enumerable.Range(1, submission.PartCount), progress.Seen.Select(p => p.PartsUploaded));
            Assert.All(progress.Seen, p => Assert.Equal(submission.PartCount, p.PartCount));
            Assert.Equal(uploads.Sum(u => (long)u.Body.Length), progress.Seen[^1].BytesUploaded);
            Assert.Empty(staging.EnumerateFileSystemInfos());
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_tar_gz_batch_declares_TarGz_and_its_package_is_a_gzipped_tar_of_the_invoices()
    {
        var api = BatchKsef();
        var invoices = Invoices(3, 500);

        var submission = await Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(invoices),
            new KsefBatchOptions { Compression = KsefBatchCompression.TarGz, OfflineMode = true }, Ct);

        var package = Reassemble(api, 100_000_000, out var open);
        Assert.Equal(1, submission.PartCount);
        Assert.Equal("TarGz", open.GetProperty("batchFile").GetProperty("compressionType").GetString());
        Assert.True(open.GetProperty("offlineMode").GetBoolean());
        Assert.Equal(new byte[] { 0x1F, 0x8B }, package[..2]);
        var found = new Dictionary<string, byte[]>();
        using (var tar = new TarReader(new GZipStream(new MemoryStream(package), CompressionMode.Decompress)))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                Assert.Equal(TarEntryType.RegularFile, entry.EntryType);
                using var content = new MemoryStream();
                entry.DataStream!.CopyTo(content);
                found.Add(entry.Name, content.ToArray());
            }
        }
        Assert.Equal(invoices.Keys.Order(), found.Keys.Order());
        Assert.All(invoices, kv => Assert.Equal(kv.Value, found[kv.Key]));
        Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/batch/{Batch}/close"));
    }

    [Fact]
    public async Task A_part_upload_failing_once_with_503_is_tried_again_with_the_same_bytes_and_the_session_closed()
    {
        var api = BatchKsef((part, attempt) => part == 2 && attempt == 0 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.Created);

        var submission = await Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(Invoices(4, 3000)), new KsefBatchOptions { MaxPartSize = 5000 }, Ct);

        Assert.InRange(submission.PartCount, 2, KsefSender.MaxParts);
        var part2 = api.CallsTo(HttpMethod.Put, PartUrl(2));
        Assert.Equal(2, part2.Count);
        Assert.Equal(part2[0].Body, part2[1].Body);
        Assert.All(Enumerable.Range(1, submission.PartCount).Where(i => i != 2), i => Assert.Single(api.CallsTo(HttpMethod.Put, PartUrl(i))));
        Reassemble(api, 5000, out _);
        Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/batch/{Batch}/close"));
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    public async Task A_part_upload_refused_with_4xx_fails_at_once_without_retry_and_the_session_is_not_closed(HttpStatusCode status)
    {
        var api = BatchKsef((part, _) => part == 1 ? status : HttpStatusCode.Created);

        var error = await Assert.ThrowsAsync<KsefPartUploadException>(() =>
            Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(Invoices(2, 100)), new KsefBatchOptions { PartUploadAttempts = 5 }, Ct));

        Assert.Equal(Batch, error.SessionReferenceNumber);
        Assert.Equal(1, error.OrdinalNumber);
        Assert.Equal(1, error.Attempts);
        Assert.Contains($"HTTP {(int)status}", error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException);
        Assert.Single(api.CallsTo(HttpMethod.Put, PartUrl(1)));
        Assert.Empty(api.CallsTo(HttpMethod.Post, $"sessions/batch/{Batch}/close"));
    }

    [Fact]
    public async Task A_part_upload_failing_every_time_gives_up_after_PartUploadAttempts_without_closing_the_session()
    {
        var api = BatchKsef((_, _) => HttpStatusCode.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<KsefPartUploadException>(() =>
            Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(Invoices(2, 100)), new KsefBatchOptions { PartUploadAttempts = 4 }, Ct));

        Assert.Equal((Batch, 1, 4), (error.SessionReferenceNumber, error.OrdinalNumber, error.Attempts));
        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, api.CallsTo(HttpMethod.Put, PartUrl(1)).Count);
        Assert.Empty(api.CallsTo(HttpMethod.Post, $"sessions/batch/{Batch}/close"));
    }

    [Fact]
    public async Task A_part_upload_timing_out_is_tried_again_and_the_callers_cancellation_is_not()
    {
        var api = BatchKsef();
        var timeouts = 0;
        var storage = new HttpClient(new ThrowingOnce(api, () =>
            Interlocked.Increment(ref timeouts) == 1 ? new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException()) : null));

        var submission = await Sender(api, o => o.Storage = storage).SendBatchAsync(KsefFormCode.Fa3, Files(Invoices(1, 100)), null, Ct);

        Assert.Equal(Batch, submission.ReferenceNumber);
        Assert.Equal(2, timeouts);
        Assert.Single(api.CallsTo(HttpMethod.Put, PartUrl(1)));
        Reassemble(api, 100_000_000, out _);
        Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/batch/{Batch}/close"));

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelled = new HttpClient(new ThrowingOnce(BatchKsef(), () =>
        {
            cancel.Cancel();
            return new TaskCanceledException("cancelled by the caller", null, cancel.Token);
        }));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Sender(BatchKsef(), o => o.Storage = cancelled).SendBatchAsync(KsefFormCode.Fa3, Files(Invoices(1, 100)), null, cancel.Token));
    }

    /// <summary>Throws what <paramref name="failure"/> returns instead of sending, while it returns one.</summary>
    private sealed class ThrowingOnce(HttpMessageHandler inner, Func<Exception?> failure) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            failure() is { } e ? Task.FromException<HttpResponseMessage>(e) : base.SendAsync(request, cancellationToken);
    }

    [Fact]
    public async Task A_part_upload_is_sent_with_the_method_KSeF_names()
    {
        var api = BatchKsef(method: "POST");

        await Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(Invoices(1, 100)), null, Ct);

        var upload = Assert.Single(api.CallsTo(HttpMethod.Post, PartUrl(1)));
        Assert.Null(upload.Authorization);
        Assert.Empty(api.CallsTo(HttpMethod.Put, PartUrl(1)));
    }

    [Fact]
    public async Task A_package_needing_more_than_50_parts_is_refused_with_an_ArgumentException_before_any_request()
    {
        var api = BatchKsef();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(Invoices(1, 2000)), new KsefBatchOptions { MaxPartSize = 16 }, Ct));

        Assert.Equal("invoices", error.ParamName);
        Assert.Contains("more than 50 parts", error.Message, StringComparison.Ordinal);
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task Exactly_50_parts_are_allowed()
    {
        var api = BatchKsef();
        var invoices = Invoices(3, 1500);
        // Measure the package once to choose a part size that gives exactly 50 parts.
        await Sender(api).SendBatchAsync(KsefFormCode.Fa3, Files(invoices), null, Ct);
        var size = Assert.Single(api.CallsTo(HttpMethod.Post, "sessions/batch")).Json().GetProperty("batchFile").GetProperty("fileSize").GetInt64();
        var api50 = BatchKsef();

        var submission = await Sender(api50).SendBatchAsync(KsefFormCode.Fa3, Files(invoices), new KsefBatchOptions { MaxPartSize = (size + 49) / 50 }, Ct);

        Assert.Equal(50, submission.PartCount);
        Reassemble(api50, (size + 49) / 50, out _);
    }

    [Fact]
    public async Task Duplicate_file_names_are_refused_with_an_ArgumentException_before_any_request()
    {
        var api = BatchKsef();
        var files = new[] { KsefInvoiceFile.FromBytes("a.xml", Invoice(1)), KsefInvoiceFile.FromBytes("b.xml", Invoice(2)), KsefInvoiceFile.FromBytes("a.xml", Invoice(3)) };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Sender(api).SendBatchAsync(KsefFormCode.Fa3, files, null, Ct));

        Assert.Contains("'a.xml'", error.Message, StringComparison.Ordinal);
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task An_empty_batch_is_refused_before_any_request()
    {
        var api = BatchKsef();

        await Assert.ThrowsAsync<ArgumentException>(() => Sender(api).SendBatchAsync(KsefFormCode.Fa3, [], null, Ct));

        Assert.Empty(api.Calls);
    }

    // ---------------------------------------------------------------- waiting for results

    private static object WireInvoice(int n, int code, string? description = null, params string[] details) => new
    {
        referenceNumber = InvoiceReference(n),
        ordinalNumber = n,
        invoiceNumber = $"FA/2026/11/{n:D3}",
        ksefNumber = code == 200 ? $"5261040828-20261120-{n:D6}ABCDEF-{n:X2}" : null,
        invoiceHash = SHA256.HashData(Encoding.UTF8.GetBytes($"invoice {n}")),
        acquisitionDate = code == 200 ? Now.AddSeconds(n) : (DateTimeOffset?)null,
        invoicingDate = Now,
        upoDownloadUrl = code == 200 ? $"https://storage.example/upo/{InvoiceReference(n)}.xml?sig=x{n}" : null,
        upoDownloadUrlExpirationDate = code == 200 ? Now.AddHours(1).AddMinutes(n) : (DateTimeOffset?)null,
        invoicingMode = "Online",
        status = new { code, description = description ?? $"Status {code}", details = details.Length == 0 ? null : details },
    };

    [Fact]
    public async Task WaitForSession_polls_until_final_then_lists_every_invoice_through_continuation_tokens_and_repolls_while_one_is_processing()
    {
        var sessionPolls = 0;
        var firstPages = 0;
        var api = new FakeKsefApi()
            .On(HttpMethod.Get, $"sessions/{Online}", (_, n) =>
            {
                Interlocked.Increment(ref sessionPolls);
                return n < 2
                    ? FakeKsefApi.Json(HttpStatusCode.OK, new { status = new { code = n == 0 ? 100 : 170, description = "Sesja w toku" }, dateCreated = Now })
                    : FakeKsefApi.Json(HttpStatusCode.OK, new
                    {
                        status = new { code = 200, description = "Sesja interaktywna przetworzona pomyślnie" },
                        dateCreated = Now,
                        invoiceCount = 3,
                        successfulInvoiceCount = 2,
                        failedInvoiceCount = 1,
                        upo = new
                        {
                            pages = new[]
                            {
                                new { referenceNumber = "20261120-UP-0000000001-ABCDEF0001-01", downloadUrl = "https://storage.example/upo/session-1.xml?sig=s1", downloadUrlExpirationDate = Now.AddHours(2) },
                                new { referenceNumber = "20261120-UP-0000000002-ABCDEF0002-01", downloadUrl = "https://storage.example/upo/session-2.xml?sig=s2", downloadUrlExpirationDate = Now.AddHours(3) },
                            },
                        },
                    });
            })
            .On(HttpMethod.Get, $"sessions/{Online}/invoices", (call, _) =>
            {
                var token = call.Header("x-continuation-token");
                if (token is null)
                {
                    var round = Interlocked.Increment(ref firstPages);
                    // The first listing finds invoice 2 still being processed (150); the second finds it accepted.
                    return FakeKsefApi.Json(HttpStatusCode.OK, new { continuationToken = "page-2 token/+=", invoices = new[] { WireInvoice(1, 200), WireInvoice(2, round == 1 ? 150 : 200) } });
                }
                Assert.Equal("page-2 token/+=", token);
                return FakeKsefApi.Json(HttpStatusCode.OK, new { continuationToken = (string?)null, invoices = new[] { WireInvoice(3, 450, "Błąd weryfikacji semantyki dokumentu faktury", "P_15 nie zgadza się.") } });
            });
        var progress = new RecordingProgress<KsefPollingProgress>();

        var result = await Sender(api).WaitForSessionAsync(Online, progress, Ct);

        Assert.Equal(3, sessionPolls);
        Assert.Equal(new int?[] { 100, 170, 200 }, progress.Seen.Select(p => p.Code));
        var listings = api.CallsTo(HttpMethod.Get, $"sessions/{Online}/invoices");
        Assert.Equal(4, listings.Count);
        Assert.Equal([null, "page-2 token/+=", null, "page-2 token/+="], listings.Select(c => c.Header("x-continuation-token")));
        Assert.All(listings, c => Assert.Equal("?pageSize=1000", c.Url.Query));
        Assert.All(api.Calls, c => Assert.Equal(AccessBearer, c.Authorization));

        Assert.Equal(Online, result.ReferenceNumber);
        Assert.Equal(200, result.Code);
        Assert.Equal("Sesja interaktywna przetworzona pomyślnie", result.Description);
        Assert.Equal(((int?)3, (int?)2, (int?)1), (result.InvoiceCount, result.SuccessfulInvoiceCount, result.FailedInvoiceCount));
        Assert.Equal([InvoiceReference(1), InvoiceReference(2), InvoiceReference(3)], result.Invoices.Select(i => i.ReferenceNumber));
        Assert.Equal([200, 200, 450], result.Invoices.Select(i => i.Code));
        Assert.All(result.Invoices, i => Assert.Equal(Online, i.SessionReferenceNumber));

        var accepted = result.Invoices[1];
        Assert.Equal(2, accepted.OrdinalNumber);
        Assert.Equal("FA/2026/11/002", accepted.InvoiceNumber);
        Assert.Equal("5261040828-20261120-000002ABCDEF-02", accepted.KsefNumber);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("invoice 2")), accepted.InvoiceHash);
        Assert.Equal(Now.AddSeconds(2), accepted.AcquisitionDate);
        Assert.Equal("Online", accepted.InvoicingMode);
        Assert.NotNull(accepted.Upo);
        Assert.Equal(new Uri($"https://storage.example/upo/{InvoiceReference(2)}.xml?sig=x2"), accepted.Upo.Url);
        Assert.Equal(Now.AddHours(1).AddMinutes(2), accepted.Upo.ExpiresAt);

        var rejected = result.Invoices[2];
        Assert.Null(rejected.Upo);
        Assert.Null(rejected.KsefNumber);
        Assert.Equal("Błąd weryfikacji semantyki dokumentu faktury", rejected.Description);
        Assert.Equal(["P_15 nie zgadza się."], rejected.Details);
        Assert.Equal(KsefStatusSubject.Invoice, rejected.Advice.Subject);

        Assert.Equal(2, result.UpoPages.Count);
        Assert.Equal("20261120-UP-0000000001-ABCDEF0001-01", result.UpoPages[0].ReferenceNumber);
        Assert.Equal(new Uri("https://storage.example/upo/session-1.xml?sig=s1"), result.UpoPages[0].Link.Url);
        Assert.Equal(Now.AddHours(2), result.UpoPages[0].Link.ExpiresAt);
        Assert.Equal(new Uri("https://storage.example/upo/session-2.xml?sig=s2"), result.UpoPages[1].Link.Url);
    }

    [Fact]
    public async Task WaitForSession_of_a_session_that_ended_without_invoices_returns_its_status_and_no_upo()
    {
        var api = new FakeKsefApi()
            .On(HttpMethod.Get, $"sessions/{Online}", (_, _) => FakeKsefApi.Json(HttpStatusCode.OK, new
            {
                status = new { code = 440, description = "Sesja anulowana", details = new[] { "Przekroczono czas wysyłki" } },
            }))
            .On(HttpMethod.Get, $"sessions/{Online}/invoices", (_, _) => FakeKsefApi.Json(HttpStatusCode.OK, new { invoices = Array.Empty<object>() }));

        var result = await Sender(api).WaitForSessionAsync(Online, null, Ct);

        Assert.Equal(440, result.Code);
        Assert.Equal(["Przekroczono czas wysyłki"], result.Details);
        Assert.Null(result.InvoiceCount);
        Assert.Empty(result.Invoices);
        Assert.Empty(result.UpoPages);
        Assert.Single(api.CallsTo(HttpMethod.Get, $"sessions/{Online}"));
    }

    [Fact]
    public async Task WaitForSession_gives_up_at_the_deadline_while_an_invoice_stays_processing()
    {
        var api = new FakeKsefApi()
            .On(HttpMethod.Get, $"sessions/{Online}", (_, _) => FakeKsefApi.Json(HttpStatusCode.OK, new { status = new { code = 200, description = "ok" } }))
            .On(HttpMethod.Get, $"sessions/{Online}/invoices", (_, _) => FakeKsefApi.Json(HttpStatusCode.OK, new { invoices = new[] { WireInvoice(1, 150) } }));
        var clock = new AdvancingClock();
        var sender = Sender(api, o =>
        {
            o.TimeProvider = clock;
            o.Polling = new KsefPollingOptions { InitialInterval = TimeSpan.FromSeconds(10), BackoffFactor = 1, Deadline = TimeSpan.FromSeconds(35), TimeProvider = clock };
        });

        var error = await Assert.ThrowsAsync<KsefPollingTimeoutException>(() => sender.WaitForSessionAsync(Online, null, Ct));

        Assert.Equal(150, error.LastCode);
        // Listed at 0, 10, 20 and 30 s; a fifth listing at 40 s would pass the 35 s deadline.
        Assert.Equal(4, api.CallsTo(HttpMethod.Get, $"sessions/{Online}/invoices").Count);
    }

    /// <summary>A clock whose timers fire at once and move the time forward by their delay.</summary>
    private sealed class AdvancingClock : TimeProvider
    {
        private long _ticks = FakeKsefApi.Now.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan) Interlocked.Add(ref _ticks, dueTime.Ticks);
            return base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
        }
    }
}
