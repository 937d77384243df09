using System.Text;

namespace KsefGen.Runtime.Upo;

/// <summary>Where <see cref="UpoArchive"/> put a UPO.</summary>
/// <param name="Path">The full path of the archived file.</param>
/// <param name="Written">True when the file was written now; false when an identical file was already there.</param>
public sealed record UpoArchiveResult(string Path, bool Written);

/// <summary>A different file already holds the archive name; nothing was overwritten.</summary>
public sealed class UpoArchiveConflictException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The existing file.</param>
    public UpoArchiveConflictException(string path)
        : base($"'{path}' already exists with different content; the UPO archive never overwrites a file. Compare the two and move one aside by hand.")
    {
        Path = path;
    }

    /// <summary>The existing file.</summary>
    public string Path { get; }
}

/// <summary>
/// Saves invoice UPOs beside the invoice data as <c>{sellerNip}-{invoiceNumber}-{ksefNumber}-upo.xml</c>.
/// The name is made safe for Windows, Linux and macOS file systems; an existing file is never overwritten:
/// the same bytes again is a no-op, different bytes fail with <see cref="UpoArchiveConflictException"/>.
/// Writes go to a temporary file in the same directory first and are then moved into place, so a reader never sees
/// a half-written UPO.
/// </summary>
public static class UpoArchive
{
    /// <summary>The suffix of every archived UPO.</summary>
    public const string Suffix = "-upo.xml";

    /// <summary>File names are kept within this many UTF-8 bytes (the common file-system limit is 255).</summary>
    public const int MaxFileNameBytes = 255;

    /// <summary>
    /// The file name for an invoice's UPO. Characters that some file system forbids or treats specially
    /// (<c>&lt; &gt; : " / \ | ? *</c>, control characters) become <c>_</c>; text is normalised to Unicode form C; a very
    /// long invoice number is shortened to keep the name within <see cref="MaxFileNameBytes"/> bytes. The KSeF number
    /// keeps names unique even when two invoice numbers differ only in replaced characters.
    /// </summary>
    /// <param name="sellerNip">The seller's NIP.</param>
    /// <param name="invoiceNumber">The invoice's own number (P_2), for example <c>FA/2025/01/001</c>.</param>
    /// <param name="ksefNumber">The KSeF number.</param>
    public static string FileName(string sellerNip, string invoiceNumber, string ksefNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sellerNip);
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceNumber);
        ArgumentException.ThrowIfNullOrWhiteSpace(ksefNumber);
        var nip = Sanitize(sellerNip.Trim());
        var ksef = Sanitize(ksefNumber.Trim());
        var invoice = Sanitize(invoiceNumber.Trim());
        var fixedBytes = Encoding.UTF8.GetByteCount(nip) + Encoding.UTF8.GetByteCount(ksef) + Encoding.UTF8.GetByteCount(Suffix) + 2;
        var budget = MaxFileNameBytes - fixedBytes;
        if (budget < 1) throw new ArgumentException("The NIP and KSeF number are too long for a file name.", nameof(ksefNumber));
        invoice = Truncate(invoice, budget);
        return $"{nip}-{invoice}-{ksef}{Suffix}";
    }

    /// <summary>Saves an invoice UPO under <see cref="FileName"/> in <paramref name="directory"/> (created if missing).</summary>
    /// <param name="directory">The directory holding the invoice data.</param>
    /// <param name="sellerNip">The seller's NIP.</param>
    /// <param name="invoiceNumber">The invoice's own number.</param>
    /// <param name="ksefNumber">The KSeF number.</param>
    /// <param name="upo">The UPO bytes exactly as downloaded.</param>
    /// <param name="cancellationToken">Stops the write (a partly written temporary file is removed).</param>
    /// <exception cref="UpoArchiveConflictException">A file with that name and different content exists.</exception>
    public static Task<UpoArchiveResult> SaveAsync(string directory, string sellerNip, string invoiceNumber, string ksefNumber,
        ReadOnlyMemory<byte> upo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var name = FileName(sellerNip, invoiceNumber, ksefNumber);
        return WriteOnceAsync(Path.Combine(Path.GetFullPath(directory), name), upo, cancellationToken);
    }

    /// <summary>Saves an invoice UPO named after one of its entries.</summary>
    /// <param name="directory">The directory holding the invoice data.</param>
    /// <param name="entry">The UPO entry (seller NIP, invoice number, KSeF number).</param>
    /// <param name="upo">The UPO bytes exactly as downloaded.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <exception cref="UpoArchiveConflictException">A file with that name and different content exists.</exception>
    public static Task<UpoArchiveResult> SaveAsync(string directory, UpoInvoiceEntry entry, ReadOnlyMemory<byte> upo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return SaveAsync(directory, entry.SellerNip, entry.InvoiceNumber, entry.KsefNumber, upo, cancellationToken);
    }

    /// <summary>Parses an invoice UPO (exactly one document) and saves it under the name its entry gives.</summary>
    /// <param name="directory">The directory holding the invoice data.</param>
    /// <param name="upo">The invoice UPO bytes exactly as downloaded (verify them first with <see cref="UpoVerifier"/>).</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <exception cref="UpoFormatException">The bytes are not a UPO.</exception>
    /// <exception cref="ArgumentException">The UPO lists more than one invoice (a session UPO page).</exception>
    /// <exception cref="UpoArchiveConflictException">A file with that name and different content exists.</exception>
    public static Task<UpoArchiveResult> SaveInvoiceUpoAsync(string directory, byte[] upo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upo);
        var document = UpoDocument.Parse(upo);
        if (document.Documents.Count != 1)
        {
            throw new ArgumentException($"An invoice UPO lists one invoice; this one lists {document.Documents.Count} (a session UPO page). Use the SaveAsync overload with names.", nameof(upo));
        }
        return SaveAsync(directory, document.Documents[0], upo, cancellationToken);
    }

    /// <summary>
    /// The file name for a page of a session's collective UPO: <c>{context}-{sessionReference}-{upoReference}-upo.xml</c>
    /// (the context identifier is usually the NIP; the UPO reference is the page's <c>referenceNumber</c> in
    /// <c>upo.pages</c>), so pages of one session sort together and never collide with invoice UPOs.
    /// </summary>
    /// <param name="contextIdentifier">The session's context identifier (its NIP).</param>
    /// <param name="sessionReferenceNumber">The session's reference number.</param>
    /// <param name="upoReferenceNumber">The UPO page's reference number.</param>
    /// <returns>The file name.</returns>
    public static string SessionFileName(string contextIdentifier, string sessionReferenceNumber, string upoReferenceNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contextIdentifier);
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionReferenceNumber);
        ArgumentException.ThrowIfNullOrWhiteSpace(upoReferenceNumber);
        var name = $"{Sanitize(contextIdentifier.Trim())}-{Sanitize(sessionReferenceNumber.Trim())}-{Sanitize(upoReferenceNumber.Trim())}{Suffix}";
        if (Encoding.UTF8.GetByteCount(name) > MaxFileNameBytes) throw new ArgumentException("The identifiers are too long for a file name.", nameof(upoReferenceNumber));
        return name;
    }

    /// <summary>
    /// Parses a session UPO page and saves it under <see cref="SessionFileName"/>, with the context and session read
    /// from the UPO itself. Saving the same bytes again writes nothing; different bytes under the same name are a conflict.
    /// </summary>
    /// <param name="directory">The directory holding the session data.</param>
    /// <param name="upoReferenceNumber">The page's reference number (from <c>upo.pages</c>).</param>
    /// <param name="upo">The UPO page bytes exactly as downloaded (verify them first).</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>Where the page is and whether it was written now.</returns>
    /// <exception cref="UpoFormatException">The bytes are not a UPO.</exception>
    /// <exception cref="UpoArchiveConflictException">A file with that name and different content exists.</exception>
    public static Task<UpoArchiveResult> SaveSessionUpoAsync(string directory, string upoReferenceNumber, byte[] upo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(upo);
        var document = UpoDocument.Parse(upo);
        var name = SessionFileName(document.Context.Value, document.SessionReferenceNumber, upoReferenceNumber);
        return WriteOnceAsync(Path.Combine(Path.GetFullPath(directory), name), upo, cancellationToken);
    }

    private static async Task<UpoArchiveResult> WriteOnceAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (await SameAsExistingAsync(path, content, cancellationToken).ConfigureAwait(false) is { } same)
        {
            return same ? new UpoArchiveResult(path, Written: false) : throw new UpoArchiveConflictException(path);
        }

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Guid.NewGuid():N}.upo.tmp");
        try
        {
            var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
            });
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temporary, path, overwrite: false);
                return new UpoArchiveResult(path, Written: true);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Someone else archived the same name in the meantime: fine if it is the same UPO.
                return await SameAsExistingAsync(path, content, cancellationToken).ConfigureAwait(false) == true
                    ? new UpoArchiveResult(path, Written: false)
                    : throw new UpoArchiveConflictException(path);
            }
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Null when there is no file; else whether it holds exactly <paramref name="content"/>.</summary>
    private static async Task<bool?> SameAsExistingAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path)) throw new UpoArchiveConflictException(path);
        FileStream existing;
        try
        {
            existing = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.Asynchronous });
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        await using (existing.ConfigureAwait(false))
        {
            if (existing.Length != content.Length) return false;
            var buffer = new byte[Math.Min(81920, Math.Max(1, content.Length))];
            var offset = 0;
            while (true)
            {
                var read = await existing.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0) return offset == content.Length;
                if (offset + read > content.Length || !buffer.AsSpan(0, read).SequenceEqual(content.Span.Slice(offset, read))) return false;
                offset += read;
            }
        }
    }

    private static string Sanitize(string text)
    {
        var normalized = text.Normalize(NormalizationForm.FormC);
        var sb = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            sb.Append(c is '<' or '>' or ':' or '"' or '/' or '\\' or '|' or '?' or '*' || char.IsControl(c) ? '_' : c);
        }
        return sb.ToString();
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxBytes"/> UTF-8 bytes without splitting a character.</summary>
    private static string Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var bytes = 0;
        var end = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes) break;
            bytes += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }
        return text[..end];
    }
}
