using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Tests;

/// <summary>A session's derived views (counters, failed list, look-ups) always agree with a scan of its invoices.</summary>
public sealed class SessionIndexTests
{
    private static SessionRecord NewLargeSession(out SandboxStore store)
    {
        store = Seeder.Seed(new SandboxOptions { LargeSessionInvoices = 700 });
        var nip = store.Contexts[0].Nip;
        return store.SessionsOf(nip).MaxBy(s => s.Invoices.Count)!;
    }

    private static void AssertAgreesWithScan(SessionRecord session)
    {
        Assert.Equal(session.Invoices.Count(i => i.Status == 200), session.SuccessfulInvoiceCount);
        Assert.Equal(session.Invoices.Count(i => i.IsFailed), session.FailedInvoiceCount);
        var failed = session.Invoices.Where(i => i.IsFailed).ToList();
        foreach (var (offset, count) in new[] { (0, 10), (0, 1000), (3, 5), (failed.Count - 1, 10), (failed.Count, 10), (failed.Count + 5, 10) })
        {
            Assert.Equal(failed.Skip(offset).Take(count), session.FailedInvoices(offset, count));
        }
        foreach (var invoice in session.Invoices)
        {
            Assert.Same(invoice, session.FindInvoice(invoice.ReferenceNumber));
            if (invoice.KsefNumber is { } number) Assert.Same(invoice, session.FindInvoiceByKsefNumber(number));
        }
    }

    [Fact]
    public void EverySeededSessionAgreesWithAScan()
    {
        var store = Seeder.Seed(new SandboxOptions { LargeSessionInvoices = 300 });
        foreach (var context in store.Contexts)
        {
            foreach (var session in store.SessionsOf(context.Nip)) AssertAgreesWithScan(session);
        }
    }

    [Fact]
    public void ViewsFollowStatusChangesAndAppendedInvoices()
    {
        var session = NewLargeSession(out _);
        AssertAgreesWithScan(session);

        // An accepted invoice is withdrawn: counters, failed list and the KSeF index must all notice.
        var accepted = session.Invoices.First(i => i.Status == 200);
        var number = accepted.KsefNumber!;
        accepted.Status = 450;
        accepted.KsefNumber = null;
        Assert.Null(session.FindInvoiceByKsefNumber(number));
        Assert.Contains(accepted, session.FailedInvoices(0, 1000));
        AssertAgreesWithScan(session);

        // A failed one is accepted, then numbered: each step on its own is seen.
        var rejected = session.Invoices.First(i => i.IsFailed);
        rejected.Status = 200;
        Assert.Null(session.FindInvoiceByKsefNumber(number));
        Assert.DoesNotContain(rejected, session.FailedInvoices(0, 1000));
        rejected.KsefNumber = number;
        Assert.Same(rejected, session.FindInvoiceByKsefNumber(number));
        AssertAgreesWithScan(session);

        // Appended invoices are found and counted.
        var reference = session.Invoices[0].ReferenceNumber[..^4] + "0000";
        Assert.Null(session.FindInvoice(reference));
        session.AddInvoice(new InvoiceRecord(session.Invoices.Count + 1, reference, "FV/X/1", new byte[32], Seeder.Anchor) { Status = 410 });
        Assert.Equal(session.Invoices[^1], session.FindInvoice(reference));
        AssertAgreesWithScan(session);
    }

    [Fact]
    public void UnknownNumbersFindNothingAndOddPagingBehavesLikeSkipTake()
    {
        var session = NewLargeSession(out _);
        Assert.Null(session.FindInvoice("20261102-EE-0000000000-0000000000-00"));
        Assert.Null(session.FindInvoiceByKsefNumber("1111111111-20261102-000000000000-00"));
        Assert.Equal(session.Invoices.Where(i => i.IsFailed).Take(10), session.FailedInvoices(-1, 10));
        Assert.Empty(session.FailedInvoices(0, 0));
        Assert.Empty(session.FailedInvoices(int.MaxValue, 10));
    }
}
