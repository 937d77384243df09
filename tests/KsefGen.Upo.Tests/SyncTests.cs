using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using KsefGen.Runtime.Status;

namespace KsefGen.Upo.Tests;

/// <summary><c>ksef-upo sync</c> and <c>report</c> against the in-process sandbox.</summary>
public sealed class SyncTests(UpoSandbox sandbox) : IClassFixture<UpoSandbox>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? Xmlsec => new[] { "/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1" }.FirstOrDefault(File.Exists);

    private int SeededAccepted => sandbox.Store.SessionsOf(sandbox.Nip).SelectMany(s => s.Invoices).Count(i => i.Status == 200);

    [Fact]
    public async Task SyncArchivesAVerifiedUpoForEveryAcceptedInvoice()
    {
        var archive = sandbox.Folder();
        var db = Path.Combine(sandbox.Folder(), "ledger.db");

        var (exit, _) = await sandbox.SyncAsync(archive, db, null, Ct);

        Assert.Equal(0, exit);
        using var ledger = Ledger.Open(db);
        var accepted = ledger.Invoices().Where(i => i.StatusCode == 200).ToList();
        Assert.Equal(SeededAccepted, accepted.Count);
        Assert.Equal(sandbox.Store.SessionsOf(sandbox.Nip).Sum(s => s.Invoices.Count), ledger.Invoices().Count);
        foreach (var invoice in accepted)
        {
            Assert.NotNull(invoice.KsefNumber);
            Assert.NotNull(invoice.AcquisitionDate);
            Assert.Null(invoice.UpoError);
            var path = Path.Combine(archive, invoice.UpoFile!);
            Assert.Equal(invoice.UpoSha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, Ct))));
            Assert.Contains(invoice.KsefNumber!, invoice.UpoFile!, StringComparison.Ordinal);
            Assert.Contains("signature", invoice.UpoChecks!, StringComparison.Ordinal);
            Assert.Contains("trust:PinnedCertificate", invoice.UpoChecks!, StringComparison.Ordinal);
            if (UpoSandbox.Schemas is not null) Assert.Contains("schema", invoice.UpoChecks!, StringComparison.Ordinal);
        }
        var sessionPages = ledger.SessionUpos();
        Assert.Equal(sandbox.Store.SessionsOf(sandbox.Nip).Count(s => s.Status == 200), sessionPages.Count);

        var required = Environment.GetEnvironmentVariable("KSEFGEN_REQUIRE_XMLSEC") == "1";
        Assert.SkipWhen(Xmlsec is null && !required, "xmlsec1 is not installed (apt-get install xmlsec1): the archive was verified by the runtime only.");
        Assert.True(Xmlsec is not null, "KSEFGEN_REQUIRE_XMLSEC=1 but xmlsec1 is not installed");
        var certificate = Path.Combine(sandbox.Folder(), "upo-cert.pem");
        await File.WriteAllTextAsync(certificate, sandbox.Sandbox.UpoCertificate.ExportCertificatePem(), Ct);
        foreach (var file in accepted.Select(i => i.UpoFile!).Concat(sessionPages.Select(p => p.UpoFile!)))
        {
            var (code, output) = await XmlsecAsync(Path.Combine(archive, file), certificate);
            Assert.True(code == 0, $"xmlsec1 --verify {file}: {output}");
        }
    }

    [Fact]
    public async Task ASecondRunFetchesNothing()
    {
        var archive = sandbox.Folder();
        var db = Path.Combine(sandbox.Folder(), "ledger.db");
        Assert.Equal(0, (await sandbox.SyncAsync(archive, db, null, Ct)).Exit);
        var before = Snapshot(archive, db);

        var counter = new RequestCounter();
        var (exit, output) = await sandbox.SyncAsync(archive, db, counter.Handler(), Ct);

        Assert.Equal(0, exit);
        Assert.Equal(0, counter.StorageRequests);
        using (var ledger = Ledger.Open(db))
        {
            var runs = ledger.Runs();
            Assert.Equal(2, runs.Count);
            Assert.True(runs[0].InvoiceUposFetched > 0);
            Assert.Equal(0, runs[1].InvoiceUposFetched);
            Assert.Equal(0, runs[1].SessionUposFetched);
        }
        Assert.Contains("final and unchanged since the last run", output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(archive, db));
    }

    [Theory]
    [InlineData("cancel", 5)]
    [InlineData("crash", 3)]
    [InlineData("crash", 25)]
    [InlineData("crash", 60)]
    public async Task ARunKilledMidwayAndStartedAgainEndsLikeACleanRun(string how, int afterRequests)
    {
        var cleanArchive = sandbox.Folder();
        var cleanDb = Path.Combine(sandbox.Folder(), "ledger.db");
        Assert.Equal(0, (await sandbox.SyncAsync(cleanArchive, cleanDb, null, Ct)).Exit);

        var archive = sandbox.Folder();
        var db = Path.Combine(sandbox.Folder(), "ledger.db");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var counter = new RequestCounter();
        var handler = how == "cancel"
            ? counter.Handler((r, _) =>
            {
                if (counter.StorageRequests >= afterRequests) stop.Cancel();
                return null;
            })
            : counter.Handler((r, n) => n > afterRequests ? new SimulatedCrashException($"killed after {afterRequests} requests") : null);

        var killed = await Record.ExceptionAsync(() => sandbox.SyncAsync(archive, db, handler, stop.Token));

        Assert.True(killed is OperationCanceledException or SimulatedCrashException or AggregateException, $"the run was not stopped: {killed}");
        Assert.NotEqual(Snapshot(cleanArchive, cleanDb), Snapshot(archive, db));

        Assert.Equal(0, (await sandbox.SyncAsync(archive, db, null, Ct)).Exit);

        Assert.Equal(Snapshot(cleanArchive, cleanDb), Snapshot(archive, db));
    }

    [Theory]
    [InlineData("table")]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task TheReportListsEveryInvoiceThatIsNotAcceptedWithItsAdvice(string format)
    {
        var archive = sandbox.Folder();
        var db = Path.Combine(sandbox.Folder(), "ledger.db");
        Assert.Equal(0, (await sandbox.SyncAsync(archive, db, null, Ct)).Exit);
        List<LedgerInvoice> notAccepted;
        using (var ledger = Ledger.Open(db)) notAccepted = ledger.Invoices().Where(i => i.StatusCode != 200).ToList();
        Assert.Contains(notAccepted, i => i.StatusCode == 440 && i.OriginalKsefNumber is not null);
        Assert.Contains(notAccepted, i => i.StatusCode is 100 or 150);

        var (exit, output) = await sandbox.RunAsync(["report", "--db", db, "--format", format, "--stale-hours", "0"], null, Ct);

        Assert.Equal(0, exit);
        switch (format)
        {
            case "csv":
            {
                var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(SplitCsv).ToList();
                var invoices = rows.Where(r => r[0] == "invoice").ToDictionary(r => r[7]);
                Assert.Equal(notAccepted.Select(i => i.InvoiceReference).Order(), invoices.Keys.Order());
                foreach (var invoice in notAccepted)
                {
                    var row = invoices[invoice.InvoiceReference];
                    Assert.Equal(KsefStatusAdvisor.ForInvoice(invoice.StatusCode).Action.ToString(), row[3]);
                    Assert.StartsWith(KsefStatusAdvisor.ForInvoice(invoice.StatusCode).Meaning, row[4], StringComparison.Ordinal);
                    if (invoice.StatusCode == 440) Assert.Equal(invoice.OriginalKsefNumber, row[11]);
                }
                Assert.Equal(notAccepted.Select(i => i.StatusCode).Append(200).Distinct().Order(), rows.Where(r => r[0] == "summary").Select(r => int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture)).Order());
                break;
            }
            case "json":
            {
                using var json = JsonDocument.Parse(output);
                var listed = json.RootElement.GetProperty("needsAPerson").EnumerateArray().ToDictionary(e => e.GetProperty("invoiceReference").GetString()!);
                Assert.Equal(notAccepted.Select(i => i.InvoiceReference).Order(), listed.Keys.Order());
                foreach (var invoice in notAccepted)
                {
                    var item = listed[invoice.InvoiceReference];
                    Assert.Equal(KsefStatusAdvisor.ForInvoice(invoice.StatusCode).Action.ToString(), item.GetProperty("action").GetString());
                    Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("advice").GetString()));
                    if (invoice.StatusCode == 440) Assert.Contains(invoice.OriginalKsefNumber!, item.GetProperty("reason").GetString()!, StringComparison.Ordinal);
                }
                Assert.Equal(0, json.RootElement.GetProperty("acceptedWithoutUpo").GetInt32());
                break;
            }
            default:
            {
                foreach (var invoice in notAccepted)
                {
                    var line = output.Split('\n').Single(l => l.Contains(invoice.InvoiceReference, StringComparison.Ordinal));
                    Assert.Contains(invoice.Action, line, StringComparison.Ordinal);
                }
                foreach (var code in notAccepted.Select(i => i.StatusCode).Distinct())
                {
                    Assert.Contains(KsefStatusAdvisor.ForInvoice(code).Meaning, output, StringComparison.Ordinal);
                }
                break;
            }
        }
    }

    [Fact]
    public async Task TheReportLeavesRecentProcessingInvoicesAlone()
    {
        var archive = sandbox.Folder();
        var db = Path.Combine(sandbox.Folder(), "ledger.db");
        Assert.Equal(0, (await sandbox.SyncAsync(archive, db, null, Ct)).Exit);

        var (_, output) = await sandbox.RunAsync(["report", "--db", db, "--format", "json", "--stale-hours", "100000"], null, Ct);

        using var json = JsonDocument.Parse(output);
        Assert.DoesNotContain(json.RootElement.GetProperty("needsAPerson").EnumerateArray(), e => e.GetProperty("statusCode").GetInt32() is 100 or 150);
        Assert.Contains(json.RootElement.GetProperty("needsAPerson").EnumerateArray(), e => e.GetProperty("kind").GetString() == "duplicate");
    }

    [Fact]
    public async Task AMissingArchivedFileIsFetchedAgainAndTheExitCodeSaysWhenUposAreMissing()
    {
        var archive = sandbox.Folder();
        var db = Path.Combine(sandbox.Folder(), "ledger.db");
        Assert.Equal(0, (await sandbox.SyncAsync(archive, db, null, Ct)).Exit);
        var before = Snapshot(archive, db);
        string victim;
        using (var ledger = Ledger.Open(db)) victim = ledger.Invoices().First(i => i.StatusCode == 200).UpoFile!;
        File.Delete(Path.Combine(archive, victim));

        // Every UPO link fails: the missing UPO cannot be fetched, and the exit code says so.
        var broken = new RequestCounter();
        var (failedExit, _) = await sandbox.SyncAsync(archive, db, broken.Handler((r, _) =>
            r.RequestUri!.AbsolutePath.StartsWith("/storage/upo/", StringComparison.Ordinal) ? new HttpRequestException("storage unreachable") : null), Ct);
        Assert.Equal(1, failedExit);
        Assert.Equal(1, (await sandbox.RunAsync(["report", "--db", db, "--format", "csv"], null, Ct)).Exit);

        var counter = new RequestCounter();
        var (exit, _) = await sandbox.SyncAsync(archive, db, counter.Handler(), Ct);

        Assert.Equal(0, exit);
        Assert.Equal(1, counter.StorageRequests);
        Assert.Equal(before, Snapshot(archive, db));
    }

    /// <summary>The ledger's rows (without run bookkeeping) and every archived file with its hash.</summary>
    private static string Snapshot(string archive, string db)
    {
        using var ledger = Ledger.Open(db);
        var lines = new List<string>();
        lines.AddRange(ledger.Sessions().Select(s => s.ToString()));
        lines.AddRange(ledger.Invoices().Select(i => i.ToString()));
        lines.AddRange(ledger.SessionUpos().Select(u => u.ToString()));
        lines.AddRange(Directory.EnumerateFiles(archive).Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileName(f) + " " + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))));
        return string.Join('\n', lines);
    }

    private static async Task<(int Code, string Output)> XmlsecAsync(string upo, string certificate)
    {
        var start = new ProcessStartInfo(Xmlsec!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--verify", "--pubkey-cert-pem", certificate, "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", upo })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardError.ReadToEndAsync(Ct) + await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, output);
    }

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return [.. fields];
    }
}
