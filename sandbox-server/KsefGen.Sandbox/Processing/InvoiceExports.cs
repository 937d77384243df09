using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Processing;

/// <summary>
/// Invoice exports (POST /invoices/exports): an export is built on the <see cref="SandboxTimeline"/> one processing
/// delay after it was asked for — the matching invoices in ascending date order up to the limit, each as
/// "{ksefNumber}.xml", plus "_metadata.json" ({"invoices": [InvoiceMetadata...]}), zipped or tar-gzipped, cut into
/// parts and each part encrypted with the client's AES key — and expires later (210); its status is kept 7 days.
/// Parts are fetched through pre-signed, expiring links that every status call issues afresh.
/// </summary>
internal sealed class InvoiceExports(SandboxStore store, ReceivedInvoices invoices, SandboxTimeline timeline, SignedTokens tokens, SandboxOptions options)
{
    /// <summary>The file of invoice metadata in every package.</summary>
    public const string MetadataEntryName = "_metadata.json";

    /// <summary>At most this many exports of one subject in one context run at a time (21182).</summary>
    public const int MaxRunning = 10;

    /// <summary>How long an export's status can be asked for ("Status eksportu paczki faktur jest dostępny przez 7 dni"); then 410.</summary>
    public static readonly TimeSpan StatusRetention = TimeSpan.FromDays(7);

    private const string LinkPurpose = "storage-export";

    /// <summary>How many exports of <paramref name="subject"/> in the context are still in progress.</summary>
    public int Running(string contextNip, SubjectIdentifier subject) => store.ExportsOf(contextNip).Count(e => e.Status == 100 && e.Subject == subject);

    /// <summary>Records an export and schedules its building; <paramref name="key"/> is null when the client's key did not decrypt (415).</summary>
    public ExportRecord Start(string contextNip, SubjectIdentifier subject, InvoiceCriteria criteria, byte[]? key, byte[] iv, bool tarGz, bool onlyMetadata, DateTimeOffset now)
    {
        var export = new ExportRecord(KsefIdentifiers.NewReferenceNumber(now, "EH", Random.Shared), contextNip, subject, now);
        store.AddExport(export);
        timeline.Schedule(now + options.ProcessingDelay, at => Build(export, criteria, key, iv, tarGz, onlyMetadata, at));
        return export;
    }

    /// <summary>True when the export's status is past its retention (the status route answers 410).</summary>
    public static bool IsGone(ExportRecord export, DateTimeOffset now) => now >= export.Created + StatusRetention;

    /// <summary>A fresh download link for a part: absolute, no bearer token, valid for the link lifetime but never past the package.</summary>
    public (Uri Url, DateTimeOffset ExpiresAt) Link(string origin, ExportRecord export, ExportPart part, DateTimeOffset now)
    {
        var expires = now + options.ExportLinkLifetime;
        if (export.PackageExpirationDate is { } packageEnd && packageEnd < expires) expires = packageEnd;
        var payload = string.Join("|", export.ReferenceNumber, part.OrdinalNumber.ToString(CultureInfo.InvariantCulture),
            expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return (new Uri(origin + "/storage/exports/" + tokens.Protect(LinkPurpose, payload)), expires);
    }

    /// <summary>The encrypted part a link points at; null and why ("Signature did not match.", "Signed expiry time has passed.", "" for a part that no longer exists).</summary>
    public ExportPart? ReadLink(string token, DateTimeOffset now, out string problem)
    {
        var parts = tokens.Unprotect(LinkPurpose, token)?.Split('|');
        if (parts is not { Length: 3 } || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            problem = "Signature did not match.";
            return null;
        }
        if (DateTimeOffset.FromUnixTimeMilliseconds(expires) <= now)
        {
            problem = "Signed expiry time has passed.";
            return null;
        }
        problem = "";
        return store.FindAnyExport(parts[0]) is { Status: 200, Package: { } package } ? package.Parts.FirstOrDefault(p => p.OrdinalNumber == ordinal) : null;
    }

    private void Build(ExportRecord export, InvoiceCriteria criteria, byte[]? key, byte[] iv, bool tarGz, bool onlyMetadata, DateTimeOffset at)
    {
        if (export.Status != 100) return;
        if (key is null)
        {
            Finish(export, 415, null, at);
            return;
        }
        var selection = invoices.Select(criteria, export.ContextNip, at);
        if (selection.FromBeyondHwm)
        {
            Finish(export, 420, StatusCatalog.Detail(StatusTable.Export, 420), at);
            return;
        }
        // "System pobiera faktury rosnąco według daty określonej w filtrze ... aż do osiągnięcia limitu" (10,000).
        var truncated = selection.Invoices.Count > options.InvoiceQueryLimit;
        var included = truncated ? selection.Invoices.Take(options.InvoiceQueryLimit).ToList() : selection.Invoices;
        var files = new List<(string Name, byte[] Content)>();
        if (!onlyMetadata) files.AddRange(included.Select(i => (i.KsefNumber + ".xml", i.Content)));
        files.Add((MetadataEntryName, Metadata(included)));
        var package = tarGz ? TarGz(files, at) : Zip(files, at);

        var partSize = Math.Max(1, options.ExportPartSize);
        var extension = tarGz ? ".tar.gz.aes" : ".zip.aes";
        var parts = new List<ExportPart>();
        for (var offset = 0; offset < package.Length; offset += partSize)
        {
            var plain = package.AsSpan(offset, Math.Min(partSize, package.Length - offset)).ToArray();
            using var aes = Aes.Create();
            aes.Key = key;
            var encrypted = aes.EncryptCbc(plain, iv, PaddingMode.PKCS7);
            var ordinal = parts.Count + 1;
            parts.Add(new ExportPart(ordinal, $"{export.ReferenceNumber}-{ordinal:D3}{extension}", plain.Length, SHA256.HashData(plain), encrypted, SHA256.HashData(encrypted)));
        }
        var last = truncated && included.Count > 0 ? included[^1] : null;
        export.Package = new ExportPackage
        {
            InvoiceCount = included.Count,
            Size = package.Length,
            Parts = parts,
            IsTruncated = truncated,
            // The continuation point of a truncated package, in the date type it was filtered by; the HWM for PermanentStorage.
            LastIssueDate = last is not null && criteria.DateType == "Issue" ? last.Facts.IssueDate : null,
            LastInvoicingDate = last is not null && criteria.DateType == "Invoicing" ? last.Invoice.InvoicingDate : null,
            LastPermanentStorageDate = last is not null && criteria.DateType == "PermanentStorage" ? last.PermanentStorageDate : null,
            PermanentStorageHwmDate = selection.PermanentStorageHwmDate,
        };
        export.PackageExpirationDate = at + options.ExportPackageLifetime;
        Finish(export, 200, null, at);
        timeline.Schedule(export.PackageExpirationDate.Value, expired =>
        {
            if (export.Status != 200) return;
            export.Status = 210;
            export.Package = null;
        });
        timeline.Schedule(export.Created + StatusRetention, _ => store.RemoveExport(export.ReferenceNumber));
    }

    private static void Finish(ExportRecord export, int code, string? detail, DateTimeOffset at)
    {
        export.StatusDetail = detail;
        export.CompletedDate = at;
        export.Status = code;
    }

    private static byte[] Metadata(IReadOnlyList<ReceivedInvoice> included)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("invoices");
            writer.WriteStartArray();
            foreach (var invoice in included) JsonSerializer.Serialize(writer, invoice.ToMetadata(), KsefJsonContext.Default.InvoiceMetadata);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static byte[] Zip(List<(string Name, byte[] Content)> files, DateTimeOffset at)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                entry.LastWriteTime = at;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    private static byte[] TarGz(List<(string Name, byte[] Content)> files, DateTimeOffset at)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                using var data = new MemoryStream(content, writable: false);
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, ModificationTime = at });
            }
        }
        return buffer.ToArray();
    }
}
