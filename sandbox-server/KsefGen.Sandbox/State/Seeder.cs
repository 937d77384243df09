using System.Globalization;
using System.Security.Cryptography;
using Bogus;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Identifiers;

namespace KsefGen.Sandbox.State;

/// <summary>
/// Fills a store with deterministic data: the same seed gives the same contexts, sessions, invoices and reference
/// numbers on every start. Each context gets online and batch sessions in every session status code, invoices in
/// every invoice status code, 440 duplicates that point at a real earlier invoice, and one large batch session.
/// </summary>
internal static class Seeder
{
    /// <summary>The day the seeded history is anchored to (dates do not depend on when the sandbox starts).</summary>
    public static readonly DateTimeOffset Anchor = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private static readonly int[] OnlineSessionCodes = [100, 170, 200, 415, 440, 445];
    private static readonly int[] BatchSessionCodes = [100, 150, 200, 405, 415, 420, 430, 435, 440, 445, 500];
    private static readonly int[] FinalFailureCodes = [410, 415, 430, 435, 440, 450, 500, 550];

    /// <summary>Builds a seeded store.</summary>
    public static SandboxStore Seed(SandboxOptions options)
    {
        var store = new SandboxStore();
        store.UseDefaultLimits(options.MaxInvoicesPerSession, options.RateLimitScale);
        var random = new Random(options.Seed);
        var tokenRandom = new Random(options.Seed ^ 0x5EED);
        var faker = new Faker("pl") { Random = new Randomizer(options.Seed) };
        var time = Anchor;

        for (var c = 0; c < Math.Max(2, options.Contexts); c++)
        {
            var previous = c > 0 ? store.Contexts[c - 1] : null;
            var context = new SandboxContext(KsefIdentifiers.NewNip(random), faker.Company.CompanyName());
            store.AddContext(context);
            // One KSeF token per context for /auth/ksef-token ("{reference}|nip-{nip}|{secret}", printed at start).
            // A separate generator, so the tokens do not shift the rest of the seeded data.
            var tokenReference = KsefIdentifiers.NewReferenceNumber(Anchor.AddDays(-30), "EC", tokenRandom);
            var secret = new byte[32];
            tokenRandom.NextBytes(secret);
            store.AddKsefToken(new KsefTokenRecord($"{tokenReference}|nip-{context.Nip}|{Convert.ToHexString(secret).ToLowerInvariant()}", tokenReference, context.Nip)
            {
                Description = "Seeded token",
                Created = Anchor.AddDays(-30),
            });
            var invoiceCounter = 0;
            InvoiceRecord? firstAccepted = null;
            SessionRecord? firstAcceptedSession = null;

            SessionRecord NewSession(bool batch, int status, int invoices, Func<int, int> invoiceStatus, string? detail = null)
            {
                time = time.AddMinutes(7 + random.Next(50));
                var session = new SessionRecord(KsefIdentifiers.NewReferenceNumber(time, batch ? "SB" : "SO", random), context.Nip, batch, time)
                {
                    Status = status,
                    StatusDetail = detail,
                    ValidUntil = time.AddHours(12),
                };
                for (var i = 1; i <= invoices; i++)
                {
                    var invoiceTime = time.AddSeconds(i * 3);
                    var number = $"FV/{invoiceTime:yyyy}/{invoiceTime:MM}/{++invoiceCounter:D5}";
                    // Drawn in the same order as always (reference, noise, offline), so the rest of the data stays put.
                    var reference = KsefIdentifiers.NewReferenceNumber(invoiceTime, "EE", random);
                    var noise = faker.Random.Guid();
                    var seededStatus = invoiceStatus(i);
                    var offline = faker.Random.Int(0, 19) == 0;
                    // An accepted invoice's hash is that of the document downloads and exports generate for it.
                    var hash = seededStatus == 200
                        ? Processing.SeededInvoices.Hash(context, previous, reference, number, invoiceTime, offline)
                        : SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(context.Nip + "|" + number + "|" + noise));
                    var invoice = new InvoiceRecord(i, reference, number, hash, invoiceTime)
                    {
                        Status = seededStatus,
                        FileName = batch ? $"faktura-{i:D5}.xml" : null,
                        Offline = offline,
                    };
                    Finish(invoice, context.Nip, random);
                    if (invoice.Status == 440)
                    {
                        if (firstAccepted is null) invoice.Status = 450;
                        else
                        {
                            invoice.OriginalKsefNumber = firstAccepted.KsefNumber;
                            invoice.OriginalSessionReferenceNumber = firstAcceptedSession!.ReferenceNumber;
                        }
                    }
                    if (invoice.Status == 200) store.TryAccept(SandboxStore.DuplicateKey(context.Nip, "VAT", number), session, invoice, out _);
                    if (invoice.Status == 200 && firstAccepted is null)
                    {
                        firstAccepted = invoice;
                        firstAcceptedSession = session;
                    }
                    session.AddInvoice(invoice);
                }
                session.Updated = time.AddMinutes(invoices > 0 ? 5 : 1);
                session.Closed = status is 100 ? null : session.Updated;
                store.AddSession(session);
                return session;
            }

            // Online sessions in every online code; the 200 one carries every final invoice code.
            foreach (var code in OnlineSessionCodes)
            {
                _ = code switch
                {
                    100 => NewSession(false, code, 6, i => i % 2 == 0 ? 150 : 100),
                    170 => NewSession(false, code, 4, _ => 150),
                    200 => NewSession(false, code, 3 + FinalFailureCodes.Length, i => i <= 3 ? 200 : FinalFailureCodes[i - 4]),
                    440 => NewSession(false, code, 0, _ => 100, Processing.SessionProcessor.SessionDetail(440, batch: false, 0)),
                    445 => NewSession(false, code, 3, i => i % 2 == 0 ? 430 : 450),
                    _ => NewSession(false, code, 0, _ => 100),
                };
            }

            // Batch sessions in every batch code (440 twice: timed out, and no invoices).
            foreach (var code in BatchSessionCodes)
            {
                _ = code switch
                {
                    100 => NewSession(true, code, 0, _ => 100),
                    150 => NewSession(true, code, 5, i => i <= 2 ? 100 : 150),
                    200 => NewSession(true, code, 12, i => i % 6 == 0 ? FinalFailureCodes[(i / 6) % FinalFailureCodes.Length] : 200),
                    405 => NewSession(true, code, 4, _ => 405),
                    440 => NewSession(true, code, 0, _ => 100, Processing.SessionProcessor.SessionDetail(440, batch: true, 0)),
                    445 => NewSession(true, code, 4, i => FinalFailureCodes[i % FinalFailureCodes.Length] == 440 ? 450 : FinalFailureCodes[i % FinalFailureCodes.Length]),
                    _ => NewSession(true, code, 0, _ => 100),
                };
            }
            NewSession(true, 440, 0, _ => 100, Processing.SessionProcessor.SessionDetail(440, batch: true, 1));

            // The large batch session: many pages of invoices, about one in twenty failed.
            NewSession(true, 200, options.LargeSessionInvoices, i => i % 20 == 7 ? FinalFailureCodes[(i / 20) % FinalFailureCodes.Length] : 200);
        }
        store.MarkSeeded();
        return store;
    }

    /// <summary>Fills what a status implies: KSeF number and dates for 200, details for failures.</summary>
    private static void Finish(InvoiceRecord invoice, string sellerNip, Random random)
    {
        if (invoice.Status == 200)
        {
            invoice.AcquisitionDate = invoice.InvoicingDate.AddSeconds(20);
            invoice.PermanentStorageDate = invoice.InvoicingDate.AddMinutes(2);
            invoice.KsefNumber = KsefIdentifiers.NewKsefNumber(sellerNip, invoice.AcquisitionDate.Value, random);
        }
        invoice.StatusDetail ??= Processing.StatusCatalog.Detail(Processing.StatusTable.Invoice, invoice.Status);
    }
}
