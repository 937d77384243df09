using KsefGen.Upo;
using Spectre.Console;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops the run cleanly (the ledger and archive stay consistent); a second one kills it.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};
// Redirected output (CI logs): no wrapping at 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Console.Profile.Width = 200;
return await KsefUpoApp.RunAsync(args, AnsiConsole.Console, ToolHooks.Default, cancel.Token);
