using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Status;
using KsefGen.Sandbox;
using Spectre.Console;
using Spectre.Console.Cli;

namespace KsefGen.Upo;

/// <summary>Settings of <c>ksef-upo sync</c>.</summary>
internal sealed class SyncSettings : CommandSettings
{
    [CommandOption("--base-url <URL>")]
    [Description("The KSeF API root, e.g. https://api-test.ksef.mf.gov.pl/v2/. Without it the KsefGen sandbox starts in-process.")]
    public string? BaseUrl { get; set; }

    [CommandOption("--nip <NIP>")]
    [Description("The context (seller NIP). Required with --base-url; with the embedded sandbox, a seeded context.")]
    public string? Nip { get; set; }

    [CommandOption("--ksef-token <TOKEN>")]
    [Description("A KSeF token of the context.")]
    public string? KsefToken { get; set; }

    [CommandOption("--certificate <FILE>")]
    [Description("A certificate (PFX, or PEM with its key) to authenticate with XAdES instead of a token.")]
    public string? Certificate { get; set; }

    [CommandOption("--key <FILE>")]
    [Description("The private key PEM of a PEM certificate, when not in the same file.")]
    public string? Key { get; set; }

    [CommandOption("--password <PASSWORD>")]
    [Description("The password of the PFX or key.")]
    public string? Password { get; set; }

    [CommandOption("--archive <DIR>")]
    [Description("Where the UPOs are archived ({nip}-{invoiceNumber}-{ksefNumber}-upo.xml, {nip}-{session}-{upoRef}-upo.xml).")]
    public string Archive { get; set; } = "";

    [CommandOption("--since <DATE>")]
    [Description("Only sessions created on or after this date (yyyy-MM-dd, or a date-time).")]
    public string? Since { get; set; }

    [CommandOption("--until <DATE>")]
    [Description("Only sessions created on or before this date (a whole day for yyyy-MM-dd).")]
    public string? Until { get; set; }

    [CommandOption("--db <FILE>")]
    [Description("The SQLite ledger (default: ksef-upo.db in the archive folder).")]
    public string? Db { get; set; }

    [CommandOption("--trust <CERT>")]
    [Description("A PEM/DER certificate to trust for UPO signatures (the signer, or a root it chains to). Repeatable.")]
    public string[] Trust { get; set; } = [];

    [CommandOption("--schemas <DIR>")]
    [Description("A folder with the official UPO XSDs (upo-v4-2.xsd, upo-v4-3.xsd) to validate against.")]
    public string? Schemas { get; set; }

    [CommandOption("--parallel <N>")]
    [Description("UPO downloads at a time (default 4).")]
    public int Parallel { get; set; } = 4;

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Archive)) return ValidationResult.Error("--archive DIR is required.");
        if (BaseUrl is not null && Nip is null) return ValidationResult.Error("--nip is required with --base-url.");
        if (BaseUrl is not null && KsefToken is null && Certificate is null) return ValidationResult.Error("Give --ksef-token or --certificate with --base-url.");
        if (Since is not null && ParseDate(Since, false) is null) return ValidationResult.Error($"--since: '{Since}' is not a date.");
        if (Until is not null && ParseDate(Until, true) is null) return ValidationResult.Error($"--until: '{Until}' is not a date.");
        return ValidationResult.Success();
    }

    /// <summary>A date-only value is a whole day: its start for --since, its last millisecond for --until.</summary>
    public static DateTimeOffset? ParseDate(string? text, bool endOfDay)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1).AddMilliseconds(-1) : start;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}

/// <summary>Settings of <c>ksef-upo report</c>.</summary>
internal sealed class ReportSettings : CommandSettings
{
    [CommandOption("--db <FILE>")]
    [Description("The SQLite ledger (default: ksef-upo.db in the current folder).")]
    public string Db { get; set; } = "ksef-upo.db";

    [CommandOption("--format <FORMAT>")]
    [Description("table (default), csv or json.")]
    public string Format { get; set; } = "table";

    [CommandOption("--stale-hours <N>")]
    [Description("An invoice still 100/150 after this many hours needs a person (default 24).")]
    public double StaleHours { get; set; } = 24;

    public override ValidationResult Validate() =>
        Format is "table" or "csv" or "json" ? ValidationResult.Success() : ValidationResult.Error("--format is table, csv or json.");
}

/// <summary>What tests (and only tests) change about a run.</summary>
internal sealed class ToolHooks
{
    public static ToolHooks Default { get; } = new();

    /// <summary>Settings of the embedded sandbox.</summary>
    public Action<SandboxOptions>? Sandbox { get; init; }

    /// <summary>The network handler under the runtime's pipeline and the storage client.</summary>
    public Func<HttpMessageHandler>? Handler { get; init; }

    /// <summary>Lets an unexpected exception escape the command line (a test's stand-in for a process that died).</summary>
    public bool PropagateExceptions { get; init; }

    /// <summary>Where the embedded sandbox is started, when a test brings its own.</summary>
    public KsefSandbox? RunningSandbox { get; init; }
}

/// <summary><c>ksef-upo sync</c>.</summary>
internal static class SyncCommand
{
    /// <summary>Runs a sync; 0 when every accepted invoice has a verified UPO, 1 when not, 2 when the run failed.</summary>
    public static async Task<int> RunAsync(SyncSettings settings, IAnsiConsole console, ToolHooks hooks, CancellationToken cancellationToken)
    {
        KsefSandbox? started = null;
        try
        {
            var trusted = new List<X509Certificate2>();
            foreach (var file in settings.Trust) trusted.Add(LoadCertificate(file));
            KsefCredentials credentials;
            var sandbox = hooks.RunningSandbox;
            if (settings.BaseUrl is null)
            {
                if (sandbox is null)
                {
                    console.WriteLine("No --base-url: starting the KsefGen sandbox in-process.");
                    sandbox = started = await KsefSandbox.StartAsync(hooks.Sandbox, cancellationToken).ConfigureAwait(false);
                }
                var seeded = sandbox.Contexts;
                var context = seeded.FirstOrDefault(c => settings.Nip is null || c.Nip == settings.Nip)
                    ?? throw new ArgumentException($"The sandbox has no seeded context {settings.Nip}; seeded: {string.Join(", ", seeded.Select(c => c.Nip))}.");
                console.WriteLine($"Sandbox at {sandbox.BaseAddress}, seeded context {context.Nip}; UPOs trusted against its published certificate.");
                credentials = new KsefCredentials(sandbox.BaseAddress, context.Nip, settings.KsefToken ?? context.KsefToken, null);
                if (settings.Trust.Length == 0) trusted.Add(sandbox.UpoCertificate);
            }
            else
            {
                var root = settings.BaseUrl.EndsWith('/') ? settings.BaseUrl : settings.BaseUrl + "/";
                var certificate = settings.KsefToken is null && settings.Certificate is not null
                    ? KsefXadesSigner.LoadCertificate(settings.Certificate, settings.Key, settings.Password)
                    : null;
                credentials = new KsefCredentials(new Uri(root), settings.Nip!, settings.KsefToken, certificate);
            }

            var archive = Path.GetFullPath(settings.Archive);
            var db = settings.Db ?? Path.Combine(archive, "ksef-upo.db");
            var checks = new UpoChecks(settings.Schemas is null ? null : UpoChecks.LoadSchemas(settings.Schemas), trusted);
            var since = SyncSettings.ParseDate(settings.Since, false);
            var until = SyncSettings.ParseDate(settings.Until, true);
            console.WriteLine($"Context {credentials.Nip} at {credentials.ApiRoot}; sessions created {Ledger.Date(since) ?? "any time"} .. {Ledger.Date(until) ?? "now"}.");
            console.WriteLine($"Archive {archive}, ledger {Path.GetFullPath(db)}; each UPO checked for {checks.Describe()}.");

            var reporter = new ConsoleReporter(console);
            using var ledger = Ledger.Open(db);
            var stats = new SyncStats();
            using var connection = new KsefConnection(credentials, e =>
            {
                if (e.StatusCode == System.Net.HttpStatusCode.TooManyRequests) stats.RateLimitWait();
                reporter.Retry(e);
            }, hooks.Handler);
            var syncer = new UpoSyncer(connection.Sender, ledger, checks, archive, reporter, stats, settings.Parallel);
            var run = ledger.StartRun(DateTimeOffset.UtcNow);
            try
            {
                await reporter.RunAsync(() => syncer.RunAsync(since, until, cancellationToken)).ConfigureAwait(false);
            }
            finally
            {
                ledger.FinishRun(run, DateTimeOffset.UtcNow, stats);
            }

            WriteSummary(console, ledger, stats);
            var complete = UpoSyncer.AllAcceptedHaveUpo(ledger);
            console.MarkupLine(complete
                ? "[green]Every accepted (200) invoice has a verified UPO in the archive.[/]"
                : "[red]Some accepted (200) invoices have no verified UPO: see ksef-upo report.[/]");
            return complete ? 0 : 1;
        }
        catch (Exception e) when (e is KsefAuthenticationException or KsefGen.Runtime.Api.KsefRequestException or HttpRequestException or IOException
            or ArgumentException or System.Security.Cryptography.CryptographicException or Microsoft.Data.Sqlite.SqliteException)
        {
            console.MarkupLine($"[red]ksef-upo sync failed:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
        finally
        {
            if (started is not null) await started.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificateFromFile(path);
    }

    private static void WriteSummary(IAnsiConsole console, Ledger ledger, SyncStats stats)
    {
        var run = new Table().Title("This run").AddColumns("", "Count");
        run.AddRow("Sessions walked", N(stats.Sessions));
        run.AddRow("  unchanged since the last run (skipped)", N(stats.SessionsUnchanged));
        run.AddRow("Invoices walked", N(stats.Invoices));
        run.AddRow("Invoice UPOs fetched and verified", N(stats.InvoiceUposFetched));
        run.AddRow("Session UPO pages fetched and verified", N(stats.SessionUposFetched));
        run.AddRow("UPOs already archived (not fetched)", N(stats.AlreadyArchived));
        run.AddRow("Expired UPO links renewed", N(stats.LinkRenewals));
        run.AddRow("Rate-limit waits (429)", N(stats.RateLimitWaits));
        run.AddRow("Failures", N(stats.Failures));
        console.Write(run);
        var table = new Table().Title("Ledger by invoice status").AddColumns("Code", "Invoices", "With verified UPO", "Action");
        foreach (var group in ledger.Invoices().GroupBy(i => i.StatusCode).OrderBy(g => g.Key))
        {
            table.AddRow(N(group.Key), N(group.Count()), N(group.Count(i => i.UpoFile is not null && i.UpoError is null)),
                Markup.Escape(KsefStatusAdvisor.ForInvoice(group.Key).Action.ToString()));
        }
        console.Write(table);
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>ksef-upo report</c>.</summary>
internal static class ReportCommand
{
    /// <summary>Writes the report; 0 when every accepted invoice has a verified UPO, 1 when not, 2 without a ledger.</summary>
    public static int Run(ReportSettings settings, IAnsiConsole console)
    {
        if (!File.Exists(settings.Db))
        {
            console.MarkupLine($"[red]No ledger at {Markup.Escape(Path.GetFullPath(settings.Db))}[/]: run ksef-upo sync first (or give --db).");
            return 2;
        }
        using var ledger = Ledger.Open(settings.Db);
        var report = UpoReport.Build(ledger, settings.StaleHours, DateTimeOffset.UtcNow);
        switch (settings.Format)
        {
            case "csv":
                console.Profile.Out.Writer.Write(report.ToCsv());
                break;
            case "json":
                console.Profile.Out.Writer.WriteLine(report.ToJson());
                break;
            default:
                report.WriteTable(console);
                break;
        }
        console.Profile.Out.Writer.Flush();
        return report.AcceptedWithoutUpo == 0 ? 0 : 1;
    }
}
