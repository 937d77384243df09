using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Processing;

/// <summary>
/// What KSeF does after a request has been answered: invoices move 100 → 150 → final, a closed online session moves
/// 170 → 200/440/445 once its invoices are final, a closed batch session moves 150 → its verdict after the package is
/// decrypted, verified and unpacked. Every step runs on the <see cref="SandboxTimeline"/>; a status forced through
/// /sandbox replaces the verdict of the next step.
/// </summary>
internal sealed class SessionProcessor(SandboxStore store, SandboxTimeline timeline, SandboxOptions options)
{
    /// <summary>
    /// Schedules a sent invoice: 150 from the first request after the send (the send itself answered "accepted", 100 —
    /// the live server is past 100 by the time a client asks, and the official SDK's tests poll "until not 150"), its
    /// final status after the processing delay.
    /// </summary>
    public void ScheduleInvoice(SessionRecord session, InvoiceRecord invoice, InvoiceVerdict verdict, DateTimeOffset sent)
    {
        var final = sent + options.ProcessingDelay;
        lock (session) session.ProcessingUntil = final > session.ProcessingUntil ? final : session.ProcessingUntil;
        timeline.Schedule(sent, at =>
        {
            if (invoice.Status == 100 && invoice.ForcedNext is null) invoice.Status = 150;
            else if (invoice.Status == 100) Finish(session, invoice, verdict, at);
        });
        timeline.Schedule(final, at =>
        {
            if (invoice.Status is 100 or 150) Finish(session, invoice, verdict, at);
        });
    }

    /// <summary>Closes an online session (170) and schedules its final status after its invoices.</summary>
    public void CloseOnline(SessionRecord session, DateTimeOffset now)
    {
        session.Status = 170;
        session.StatusDetail = null;
        session.Closed = now;
        session.Updated = now;
        var at = (session.ProcessingUntil > now ? session.ProcessingUntil : now) + options.ProcessingDelay / 2;
        timeline.Schedule(at, when =>
        {
            if (session.Status != 170) return;
            if (Forced(session) is { } forced) Set(session, forced.Code, forced.Detail, when);
            else if (session.Invoices.Count == 0) Set(session, 440, SessionDetail(440, batch: false, 0), when);
            else if (session.Invoices.Any(i => i.Status == 200)) Set(session, 200, null, when);
            else Set(session, 445, null, when);
        });
    }

    /// <summary>Schedules the online session's own lifetime: 415 soon when its key did not decrypt, otherwise closing itself after 12 h.</summary>
    public void ScheduleOnline(SessionRecord session, bool keyDecrypted, DateTimeOffset now)
    {
        if (!keyDecrypted)
        {
            timeline.Schedule(now + options.ProcessingDelay / 2, at =>
            {
                if (session.Status == 100) Set(session, 415, null, at);
            });
            return;
        }
        timeline.Schedule(session.ValidUntil ?? now + options.OnlineSessionLifetime, at =>
        {
            if (session.Status == 100) CloseOnline(session, at);
        });
    }

    /// <summary>Schedules the batch session's upload timeout (440 when never closed).</summary>
    public void ScheduleBatchTimeout(SessionRecord session, DateTimeOffset now)
    {
        timeline.Schedule(now + options.OnlineSessionLifetime, at =>
        {
            if (session.Status != 100) return;
            var anyUploaded = session.Package is { } package && !package.Uploaded.IsEmpty;
            Set(session, 440, SessionDetail(440, batch: true, anyUploaded ? 0 : 1), at);
        });
    }

    /// <summary>Closes a batch session (150) and schedules the processing of its package.</summary>
    public void CloseBatch(SessionRecord session, DateTimeOffset now)
    {
        session.Status = 150;
        session.StatusDetail = null;
        session.Closed = now;
        session.Updated = now;
        timeline.Schedule(now + options.ProcessingDelay, at => ProcessBatch(session, at));
    }

    /// <summary>Applies a forced status at once to a record that has nothing more scheduled.</summary>
    public static void ApplyNow(SessionRecord session, int code, string? detail, DateTimeOffset now) => Set(session, code, detail, now);

    /// <summary>Applies a forced status at once to an invoice that has nothing more scheduled (200 gets a KSeF number).</summary>
    public void ApplyNow(SessionRecord session, InvoiceRecord invoice, int code, string? detail, DateTimeOffset now) =>
        Finish(session, invoice, new InvoiceVerdict(code, detail, invoice.SellerNip ?? session.ContextNip, invoice.InvoiceNumber, null), now, force: false);

    private void ProcessBatch(SessionRecord session, DateTimeOffset at)
    {
        if (session.Status != 150) return;
        if (Forced(session) is { } forced)
        {
            Set(session, forced.Code, forced.Detail, at);
            return;
        }
        var package = session.Package!;
        if (session.SymmetricKey is null)
        {
            Set(session, 415, null, at);
            return;
        }
        // Parts: declared hashes of the encrypted parts, then decryption, then the whole package's size and hash.
        using var plain = new MemoryStream();
        foreach (var part in package.Parts.OrderBy(p => p.Ordinal))
        {
            var bytes = package.Uploaded[part.Ordinal];
            if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(part.Hash))
            {
                Set(session, 405, $"Part {part.Ordinal}: the hash does not match the declared fileHash.", at);
                return;
            }
            if (InvoiceChecks.Decrypt(bytes, session.SymmetricKey, session.InitializationVector) is not { } decrypted)
            {
                Set(session, 435, $"Part {part.Ordinal} could not be decrypted.", at);
                return;
            }
            plain.Write(decrypted);
        }
        if (plain.Length != package.FileSize || !SHA256.HashData(plain.ToArray()).AsSpan().SequenceEqual(package.FileHash))
        {
            Set(session, 405, "The package's size or hash does not match batchFile.fileSize/fileHash.", at);
            return;
        }
        plain.Position = 0;
        List<(string Name, byte[] Content)> files;
        try
        {
            files = package.TarGz ? ReadTarGz(plain) : ReadZip(plain);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            Set(session, 430, "The package could not be decompressed: " + e.Message, at);
            return;
        }
        if (files.Count == 0)
        {
            Set(session, 440, SessionDetail(440, batch: true, 1), at);
            return;
        }
        var maxInvoices = store.Limits.SessionsOf(session.ContextNip).Batch.MaxInvoices;
        if (files.Count > maxInvoices)
        {
            Set(session, 420, $"The package holds {files.Count} invoices; a session takes at most {maxInvoices}.", at);
            return;
        }
        foreach (var (name, content) in files)
        {
            var verdict = InvoiceChecks.Evaluate(content, session.ContextNip, attachmentsAllowed: store.AttachmentsAllowed(session.ContextNip), at);
            // A batch invoice's invoicing date is the moment its session was opened.
            var invoice = session.AddInvoice(ordinal => new InvoiceRecord(ordinal, KsefIdentifiers.NewReferenceNumber(at, "EE", Random.Shared),
                verdict.InvoiceNumber, SHA256.HashData(content), session.Created)
            {
                FileName = name,
                Offline = package.Offline || verdict.IsLate(session.Created),
                SellerNip = verdict.SellerNip,
            }, int.MaxValue)!;
            Finish(session, invoice, verdict, at, force: false);
        }
        Set(session, session.Invoices.Any(i => i.Status == 200) ? 200 : 445, null, at);
    }

    private void Finish(SessionRecord session, InvoiceRecord invoice, InvoiceVerdict verdict, DateTimeOffset at, bool force = true)
    {
        var (code, detail) = (verdict.Code, verdict.Detail);
        if (force && invoice.ForcedNext is { } forced)
        {
            (code, detail) = forced;
            invoice.ForcedNext = null;
        }
        if (code == 200)
        {
            var key = SandboxStore.DuplicateKey(verdict.SellerNip ?? session.ContextNip, verdict.Kind ?? "VAT", verdict.InvoiceNumber ?? invoice.ReferenceNumber);
            if (!store.TryAccept(key, session, invoice, out var original))
            {
                invoice.OriginalKsefNumber = original.Invoice.KsefNumber;
                invoice.OriginalSessionReferenceNumber = original.Session.ReferenceNumber;
                code = 440;
                detail = $"Duplicate of invoice {original.Invoice.KsefNumber} accepted in session {original.Session.ReferenceNumber}.";
            }
            else
            {
                invoice.AcquisitionDate = at;
                invoice.PermanentStorageDate = at;
                invoice.KsefNumber = KsefIdentifiers.NewKsefNumber(verdict.SellerNip ?? session.ContextNip, at, Random.Shared);
                // What downloads, metadata queries and exports serve (forced acceptances without one get a generated document).
                invoice.Document = verdict.Document;
            }
        }
        invoice.StatusDetail = detail ?? DocumentedDetail(code);
        invoice.Status = code;
        session.Updated = at;
    }

    private static (int Code, string? Detail)? Forced(SessionRecord session)
    {
        var forced = session.ForcedNext;
        session.ForcedNext = null;
        return forced;
    }

    private static void Set(SessionRecord session, int code, string? detail, DateTimeOffset at)
    {
        session.StatusDetail = detail;
        session.Status = code;
        session.Updated = at;
        session.Closed ??= at;
    }

    private static string? DocumentedDetail(int code) => StatusCatalog.Detail(StatusTable.Invoice, code);

    /// <summary>The n-th documented detail of a session code in the batch or online sub-table.</summary>
    public static string? SessionDetail(int code, bool batch, int index) => StatusCatalog.Detail(StatusTable.Session, code, batch, index);

    private static List<(string, byte[])> ReadZip(Stream package)
    {
        using var zip = new ZipArchive(package, ZipArchiveMode.Read, leaveOpen: true);
        var files = new List<(string, byte[])>();
        foreach (var entry in zip.Entries.Where(e => !e.FullName.EndsWith('/')))
        {
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            files.Add((entry.FullName, copy.ToArray()));
        }
        return files;
    }

    private static List<(string, byte[])> ReadTarGz(Stream package)
    {
        using var gzip = new GZipStream(package, CompressionMode.Decompress, leaveOpen: true);
        using var tar = new TarReader(gzip);
        var files = new List<(string, byte[])>();
        while (tar.GetNextEntry(copyData: true) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            files.Add((entry.Name, copy.ToArray()));
        }
        return files;
    }
}
