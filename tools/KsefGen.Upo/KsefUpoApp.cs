using Spectre.Console;
using Spectre.Console.Cli;

namespace KsefGen.Upo;

/// <summary>The command line: <c>ksef-upo sync</c> and <c>ksef-upo report</c>.</summary>
internal static class KsefUpoApp
{
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, ToolHooks hooks, CancellationToken cancellationToken)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("ksef-upo");
            config.ConfigureConsole(console);
            if (hooks.PropagateExceptions) config.PropagateExceptions();
            config.AddAsyncDelegate<SyncSettings>("sync", (_, settings, ct) => SyncCommand.RunAsync(settings, console, hooks, ct))
                .WithDescription("Walk every session and invoice in a date range; download, verify and archive every UPO; record it all in the ledger. Never sends anything.")
                .WithExample("sync", "--archive", "./upo")
                .WithExample("sync", "--base-url", "https://api-test.ksef.mf.gov.pl/v2/", "--nip", "5265877635", "--ksef-token", "TOKEN", "--archive", "./upo", "--since", "2026-11-01", "--until", "2026-11-30");
            config.AddDelegate<ReportSettings>("report", (_, settings, _) => ReportCommand.Run(settings, console))
                .WithDescription("Per status code: how many and what to do; the invoices that need a person.")
                .WithExample("report", "--db", "./upo/ksef-upo.db", "--format", "csv");
        });
        return app.RunAsync(args, cancellationToken);
    }
}
