using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Tests;

/// <summary>The seeded data: deterministic, complete over every status code, with valid identifiers.</summary>
public sealed class SeedTests
{
    private static readonly SandboxStore Seeded = Seeder.Seed(new SandboxOptions { LargeSessionInvoices = 1200 });

    [Fact]
    public void SameSeedGivesTheSameData()
    {
        var again = Seeder.Seed(new SandboxOptions { LargeSessionInvoices = 1200 });
        string Fingerprint(SandboxStore store) => string.Join("\n", store.Contexts.SelectMany(c => store.SessionsOf(c.Nip))
            .OrderBy(s => s.ReferenceNumber, StringComparer.Ordinal)
            .Select(s => $"{s.ReferenceNumber} {s.Status} {string.Join(",", s.Invoices.Select(i => i.ReferenceNumber + i.KsefNumber + i.Status))}"));
        Assert.Equal(Fingerprint(Seeded), Fingerprint(again));
        var other = Seeder.Seed(new SandboxOptions { Seed = 7, LargeSessionInvoices = 1200 });
        Assert.NotEqual(Seeded.Contexts[0].Nip, other.Contexts[0].Nip);
    }

    [Fact]
    public void EveryContextHasSessionsInEverySessionCodeAndInvoicesInEveryInvoiceCode()
    {
        Assert.True(Seeded.Contexts.Count >= 2);
        foreach (var context in Seeded.Contexts)
        {
            var sessions = Seeded.SessionsOf(context.Nip).ToList();
            Assert.Equal([100, 170, 200, 415, 440, 445], sessions.Where(s => !s.IsBatch).Select(s => s.Status).Distinct().Order());
            Assert.Equal([100, 150, 200, 405, 415, 420, 430, 435, 440, 445, 500], sessions.Where(s => s.IsBatch).Select(s => s.Status).Distinct().Order());
            Assert.Equal([100, 150, 200, 405, 410, 415, 430, 435, 440, 450, 500, 550], sessions.SelectMany(s => s.Invoices).Select(i => i.Status).Distinct().Order());
            Assert.Contains(sessions, s => s.Invoices.Count >= 1200);
            // Batch 440 comes with both documented details: upload timed out, and nothing was sent.
            Assert.Equal(2, sessions.Where(s => s.IsBatch && s.Status == 440).Select(s => s.StatusDetail).Distinct().Count());
        }
    }

    [Fact]
    public void IdentifiersHaveTheOfficialFormatsAndChecksums()
    {
        Assert.Equal(0xAF, KsefGen.Runtime.KsefChecksum.Crc8("5265877635-20250826-0100001AF629"));
        Assert.True(KsefGen.Runtime.KsefNumber.IsValid("5265877635-20250826-0100001AF629-AF"));
        Assert.False(KsefGen.Runtime.KsefNumber.IsValid("5265877635-20250826-0100001AF629-AE"));
        foreach (var context in Seeded.Contexts)
        {
            Assert.True(KsefGen.Runtime.Nip.IsValid(context.Nip), context.Nip);
            foreach (var session in Seeded.SessionsOf(context.Nip))
            {
                Assert.True(KsefGen.Runtime.ReferenceNumber.IsValid(session.ReferenceNumber), session.ReferenceNumber);
                Assert.Equal(session.IsBatch ? "SB" : "SO", session.ReferenceNumber[9..11]);
                Assert.Equal(KsefGen.Runtime.KsefChecksum.Crc8(session.ReferenceNumber.AsSpan(0, 33)).ToString("X2"), session.ReferenceNumber[34..]);
                foreach (var invoice in session.Invoices)
                {
                    Assert.True(KsefGen.Runtime.ReferenceNumber.IsValid(invoice.ReferenceNumber));
                    Assert.Equal(invoice.Status == 200, invoice.KsefNumber is not null);
                    if (invoice.KsefNumber is not null)
                    {
                        Assert.True(KsefGen.Runtime.KsefNumber.IsValid(invoice.KsefNumber), invoice.KsefNumber);
                        Assert.StartsWith(context.Nip, invoice.KsefNumber);
                    }
                }
            }
        }
    }

    [Fact]
    public void DuplicatesPointAtARealAcceptedInvoice()
    {
        var all = Seeded.Contexts.SelectMany(c => Seeded.SessionsOf(c.Nip)).ToList();
        var duplicates = all.SelectMany(s => s.Invoices).Where(i => i.Status == 440).ToList();
        Assert.NotEmpty(duplicates);
        foreach (var duplicate in duplicates)
        {
            var session = all.Single(s => s.ReferenceNumber == duplicate.OriginalSessionReferenceNumber);
            var original = session.Invoices.Single(i => i.KsefNumber == duplicate.OriginalKsefNumber);
            Assert.Equal(200, original.Status);
        }
    }
}
