using KsefGen.Sandbox.Bench;

// Usage: dotnet run -c Release --project bench/KsefGen.Sandbox.Bench [-- --quick | --memory | --help]
if (BenchSettings.Parse(args) is not { } settings) return 2;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return settings.Memory
    ? await MemoryBenchmark.RunAsync(settings, cancel.Token).ConfigureAwait(false)
    : await LoadBenchmark.RunAsync(settings, cancel.Token).ConfigureAwait(false);
