using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using KsefGen.Runtime.Api;
using KsefGen.Runtime.Crypto;

namespace KsefGen.Runtime.Sending;

public sealed partial class KsefSender
{
    /// <summary>KSeF's limit on the parts of one package.</summary>
    public const int MaxParts = 50;

    /// <summary>
    /// Sends invoices as a batch: packs them (ZIP or tar.gz) into a staging file, splits the package into parts within
    /// <see cref="KsefBatchOptions.MaxPartSize"/>, encrypts each part with a fresh session key, opens the batch session,
    /// uploads every part to its pre-signed URL with the returned headers and no bearer token (a failed part is tried
    /// again), and closes the session. Files stream through disk; no invoice or part is held whole in memory beyond one
    /// invoice at a time. Follow with <see cref="WaitForSessionAsync"/>.
    /// </summary>
    /// <param name="formCode">The invoices' schema.</param>
    /// <param name="invoices">The invoices; file names must be unique.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the send (an opened session is then left to expire).</param>
    /// <returns>The closed session's reference number and what was sent.</returns>
    /// <exception cref="KsefRequestException">KSeF refused the open or close (21157, 21161, 21205, 21208 ...).</exception>
    /// <exception cref="KsefPartUploadException">A part could not be uploaded in the allowed attempts.</exception>
    public async Task<KsefBatchSubmission> SendBatchAsync(KsefFormCode formCode, IEnumerable<KsefInvoiceFile> invoices, KsefBatchOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(formCode);
        ArgumentNullException.ThrowIfNull(invoices);
        options ??= new KsefBatchOptions();
        if (options.MaxPartSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxPartSize must be positive.");
        var folder = options.WorkingDirectory is null
            ? Directory.CreateTempSubdirectory("ksefgen-batch-")
            : Directory.CreateDirectory(Path.Combine(options.WorkingDirectory, "ksefgen-batch-" + Guid.NewGuid().ToString("N")));
        try
        {
            var packagePath = Path.Combine(folder.FullName, options.Compression == KsefBatchCompression.TarGz ? "package.tar.gz" : "package.zip");
            var hashes = await PackAsync(packagePath, invoices, options.Compression, cancellationToken).ConfigureAwait(false);
            var packageSize = new FileInfo(packagePath).Length;
            byte[] packageHash;
            await using (var package = File.OpenRead(packagePath))
            {
                packageHash = await SHA256.HashDataAsync(package, cancellationToken).ConfigureAwait(false);
            }
            var partCount = (int)Math.Max(1, (packageSize + options.MaxPartSize - 1) / options.MaxPartSize);
            if (partCount > MaxParts)
            {
                throw new ArgumentException(
                    $"The package of {hashes.Count} invoices is {packageSize:N0} bytes: more than {MaxParts} parts of at most {options.MaxPartSize:N0} bytes. Split the invoices over several batch sessions.",
                    nameof(invoices));
            }
            var partSize = (packageSize + partCount - 1) / partCount;

            using var key = KsefSessionKey.Create(await _keys.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, cancellationToken).ConfigureAwait(false));
            var parts = new List<(string Path, WireBatchPart Info)>();
            await using (var package = File.OpenRead(packagePath))
            {
                for (var i = 0; i < partCount; i++)
                {
                    var partPath = Path.Combine(folder.FullName, $"part-{i + 1:D2}.aes");
                    await using (var output = File.Create(partPath))
                    {
                        await using (var encrypting = key.EncryptingStream(output))
                        {
                            await CopyRangeAsync(package, encrypting, Math.Min(partSize, packageSize - i * partSize), cancellationToken).ConfigureAwait(false);
                        }
                    }
                    await using var encrypted = File.OpenRead(partPath);
                    var hash = await SHA256.HashDataAsync(encrypted, cancellationToken).ConfigureAwait(false);
                    parts.Add((partPath, new WireBatchPart(i + 1, encrypted.Length, hash)));
                }
            }
            Log("KSeF batch package: {Invoices} invoices, {Size} bytes ({Compression}), {Parts} encrypted parts", hashes.Count, packageSize, options.Compression, partCount);

            var request = new WireOpenBatch(Wire(formCode),
                new WireBatchFile(packageSize, packageHash, parts.Select(p => p.Info).ToList(), options.Compression == KsefBatchCompression.TarGz ? "TarGz" : null),
                Wire(key), options.OfflineMode);
            var opened = await _calls.SendAsync(HttpMethod.Post, "sessions/batch", request, KsefWireJson.Default.WireOpenBatch,
                KsefWireJson.Default.WireOpenedBatch, null, cancellationToken).ConfigureAwait(false);
            Log("KSeF batch session {Reference} opened; uploading {Parts} parts", opened.ReferenceNumber, partCount);

            long uploaded = 0;
            var done = 0;
            foreach (var upload in opened.PartUploadRequests.OrderBy(u => u.OrdinalNumber))
            {
                var part = parts.FirstOrDefault(p => p.Info.OrdinalNumber == upload.OrdinalNumber);
                if (part.Path is null)
                {
                    throw new KsefRequestException($"KSeF asked for part {upload.OrdinalNumber} of batch session {opened.ReferenceNumber}, which was not declared.");
                }
                await UploadPartAsync(opened.ReferenceNumber, upload, part.Path, Math.Max(1, options.PartUploadAttempts), cancellationToken).ConfigureAwait(false);
                uploaded += part.Info.FileSize;
                options.Progress?.Report(new KsefBatchProgress(++done, partCount, uploaded));
            }

            await _calls.SendAsync(HttpMethod.Post, $"sessions/batch/{Uri.EscapeDataString(opened.ReferenceNumber)}/close", null, cancellationToken).ConfigureAwait(false);
            Log("KSeF batch session {Reference} closed; KSeF processes it now", opened.ReferenceNumber);
            return new KsefBatchSubmission(opened.ReferenceNumber, partCount, packageSize, hashes);
        }
        finally
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Staging files only; the OS temp cleaner takes what is left.
            }
        }
    }

    private async Task UploadPartAsync(string session, WirePartUpload upload, string path, int attempts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                await using var file = File.OpenRead(path);
                using var request = new HttpRequestMessage(new HttpMethod(upload.Method), upload.Url) { Content = new StreamContent(file) };
                foreach (var (name, value) in upload.Headers ?? new Dictionary<string, string?>())
                {
                    if (value is null) continue;
                    if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
                }
                using var response = await Storage.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Log("KSeF batch session {Reference}: part {Part} uploaded ({Size} bytes, attempt {Attempt})", session, upload.OrdinalNumber, file.Length, attempt);
                    return;
                }
                failure = $"HTTP {(int)response.StatusCode}";
                if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
                {
                    // 400: the part was refused; 401/403: the link is wrong or the upload window (20 min per part) is over.
                    throw new KsefPartUploadException(session, upload.OrdinalNumber, attempt, failure);
                }
            }
            catch (HttpRequestException e) when (e is not KsefPartUploadException)
            {
                // A transport failure: try again. (KsefPartUploadException derives from HttpRequestException: the
                // refusal above must end the upload, not be retried as a transport failure.)
                failure = e.Message;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // The storage client's timeout (HttpClient.Timeout), not the caller's cancellation: try again.
                failure = e.InnerException is TimeoutException ? "timed out" : e.Message;
            }
            if (attempt >= attempts) throw new KsefPartUploadException(session, upload.OrdinalNumber, attempt, failure);
            var wait = TimeSpan.FromMilliseconds(500 * attempt);
            Log("KSeF batch session {Reference}: part {Part} failed ({Failure}); trying again in {Delay} ms", session, upload.OrdinalNumber, failure, (int)wait.TotalMilliseconds);
            await Task.Delay(wait, _options.TimeProvider ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<Dictionary<string, byte[]>> PackAsync(string packagePath, IEnumerable<KsefInvoiceFile> invoices, KsefBatchCompression compression, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using var output = File.Create(packagePath);
        if (compression == KsefBatchCompression.TarGz)
        {
            await using var gzip = new GZipStream(output, CompressionLevel.Optimal);
            await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
            foreach (var invoice in invoices)
            {
                var content = await ReadInvoiceAsync(invoice, hashes, cancellationToken).ConfigureAwait(false);
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, invoice.FileName) { DataStream = new MemoryStream(content, writable: false) }, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var invoice in invoices)
            {
                var content = await ReadInvoiceAsync(invoice, hashes, cancellationToken).ConfigureAwait(false);
                var entry = zip.CreateEntry(invoice.FileName, CompressionLevel.Optimal);
                await using var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            }
        }
        if (hashes.Count == 0) throw new ArgumentException("A batch needs at least one invoice.", nameof(invoices));
        return hashes;
    }

    private static async Task<byte[]> ReadInvoiceAsync(KsefInvoiceFile invoice, Dictionary<string, byte[]> hashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentException.ThrowIfNullOrWhiteSpace(invoice.FileName);
        using var buffer = new MemoryStream();
        await using (var source = invoice.Open())
        {
            await source.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        var content = buffer.ToArray();
        if (!hashes.TryAdd(invoice.FileName, SHA256.HashData(content)))
        {
            throw new ArgumentException($"Two invoices are named '{invoice.FileName}'; file names in a package must be unique.", nameof(invoice));
        }
        return content;
    }

    private static async Task CopyRangeAsync(Stream source, Stream destination, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new EndOfStreamException("The package ended before its declared size.");
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            count -= read;
        }
    }
}

/// <summary>A batch part could not be uploaded to its pre-signed URL.</summary>
public sealed class KsefPartUploadException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sessionReferenceNumber">The batch session.</param>
    /// <param name="ordinalNumber">The part.</param>
    /// <param name="attempts">How many uploads were tried.</param>
    /// <param name="lastFailure">What the last attempt ended with.</param>
    public KsefPartUploadException(string sessionReferenceNumber, int ordinalNumber, int attempts, string lastFailure)
        : base($"Part {ordinalNumber} of batch session {sessionReferenceNumber} could not be uploaded in {attempts} attempt(s): {lastFailure}. The session is not closed; KSeF cancels it when its upload window ends. Send the package again in a new session.")
    {
        SessionReferenceNumber = sessionReferenceNumber;
        OrdinalNumber = ordinalNumber;
        Attempts = attempts;
    }

    /// <summary>Creates the exception.</summary>
    public KsefPartUploadException() : this("", 0, 0, "unknown") { }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public KsefPartUploadException(string message) : base(message) => SessionReferenceNumber = "";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public KsefPartUploadException(string message, Exception inner) : base(message, inner) => SessionReferenceNumber = "";

    /// <summary>The batch session.</summary>
    public string SessionReferenceNumber { get; }

    /// <summary>The part that failed.</summary>
    public int OrdinalNumber { get; }

    /// <summary>How many uploads were tried.</summary>
    public int Attempts { get; }
}
