using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KsefGen.Runtime.Bench;
using KsefGen.Runtime.Bench.Client;
using KsefGen.Sandbox;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

// Usage: dotnet run -c Release --project bench/KsefGen.Runtime.Bench [-- --quick | --help]
if (Settings.Parse(args) is not { } settings) return 2;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;

Console.WriteLine($"Seeding the in-process sandbox: 2 contexts, a large batch session of {settings.Invoices:N0} invoices each...");
var seeding = Stopwatch.StartNew();
var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
{
    o.Contexts = 2;
    o.LargeSessionInvoices = settings.Invoices;
    o.RateLimits = false;
    o.AccessTokenLifetime = TimeSpan.FromDays(1);
});
await app.StartAsync(ct).ConfigureAwait(false);
try
{
    var store = app.Services.GetRequiredService<SandboxStore>(); // seeds
    var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
    Console.WriteLine($"Seeded in {seeding.Elapsed.TotalSeconds:F1} s; listening on {address}");

    // As a consumer would: the context from GET /sandbox/contexts, a token from the CI shortcut, the session by its size.
    string nip, token;
    using (var setup = new HttpClient { BaseAddress = address })
    {
        var contexts = await setup.GetFromJsonAsync<JsonElement>("sandbox/contexts", ct).ConfigureAwait(false);
        nip = contexts[0].GetProperty("nip").GetString()!;
        using var response = await setup.PostAsJsonAsync("sandbox/access-tokens", new { contextNip = nip }, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        token = (await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false)).GetProperty("accessToken").GetString()!;
    }
    var session = store.SessionsOf(nip).Single(s => s.IsBatch && s.Invoices.Count == settings.Invoices).ReferenceNumber;

    // The same handler chain for every path: a bearer handler over its own SocketsHttpHandler.
    static HttpClient Http(Uri address, string token) =>
        new(new BearerHandler(token) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = new Uri(address, "v2/") };
    using var generatedHttp = Http(address, token);
    using var plainHttp = Http(address, token);
    using var floorHttp = Http(address, token);
    var client = new KsefClient(generatedHttp);

    var paths = new (string Name, Func<Task<Tally>> Run)[]
    {
        ("(a) generated client + runtime", () => Generated(client, session, settings.PageSize, ct)),
        ("(b) plain HttpClient + STJ source-gen", () => Baseline.EnumerateAsync(plainHttp, session, settings.PageSize, ct)),
        ("(c) fetch only, no items (floor)", () => Baseline.FetchOnlyAsync(floorHttp, session, settings.PageSize, ct)),
    };
    var samples = paths.Select(_ => new List<Sample>()).ToArray();
    var pages = (settings.Invoices + settings.PageSize - 1) / settings.PageSize;
    Console.WriteLine($"Session {session}: {settings.Invoices:N0} invoices, pageSize {settings.PageSize} ({pages} pages); " +
        $"{settings.Warmup} warm-up + {settings.Rounds} measured rounds, paths alternating a, b, c in every round.");
    long? checksum = null;
    for (var round = -settings.Warmup; round < settings.Rounds; round++)
    {
        for (var p = 0; p < paths.Length; p++)
        {
            var (sample, tally) = await MeasureAsync(paths[p].Run).ConfigureAwait(false);
            if (p < 2)
            {
                if (tally.Items != settings.Invoices) throw new InvalidOperationException($"{paths[p].Name}: {tally.Items} items, expected {settings.Invoices}.");
                if (checksum is { } expected && expected != tally.Checksum) throw new InvalidOperationException($"{paths[p].Name}: checksum differs from the other path.");
                checksum = tally.Checksum;
            }
            else if (tally.Pages != pages)
            {
                throw new InvalidOperationException($"{paths[p].Name}: {tally.Pages} pages, expected {pages}.");
            }
            if (round >= 0) samples[p].Add(sample);
        }
        Console.WriteLine(round < 0 ? $"  warm-up {round + settings.Warmup + 1} done" : $"  round {round + 1}: " +
            string.Join(", ", paths.Select((path, p) => $"{path.Name[..3]} {samples[p][^1].Elapsed.TotalMilliseconds:F0} ms")));
    }

    Report(settings, paths.Select(p => p.Name).ToArray(), samples);
    return 0;
}
finally
{
    await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    await app.DisposeAsync().ConfigureAwait(false);
}

static async Task<Tally> Generated(KsefClient client, string session, int pageSize, CancellationToken ct)
{
    var tally = new Tally();
    await foreach (var invoice in client.SessionStatus.EnumerateSessionInvoicesAsync(session, pageSize: pageSize, cancellationToken: ct).ConfigureAwait(false))
    {
        tally.Add(invoice.OrdinalNumber, invoice.Status.Code, invoice.InvoiceHash.Length);
    }
    return tally;
}

static async Task<(Sample, Tally)> MeasureAsync(Func<Task<Tally>> run)
{
    // Every run starts from a collected heap, so one path's garbage is not collected on the other's time.
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var gen0 = GC.CollectionCount(0);
    var gen2 = GC.CollectionCount(2);
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    var tally = await run().ConfigureAwait(false);
    clock.Stop();
    var sample = new Sample(clock.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocated,
        GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2);
    return (sample, tally);
}

static void Report(Settings settings, string[] names, List<Sample>[] samples)
{
    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
    var n = (double)settings.Invoices;
    var ms = samples.Select(s => Median(s.Select(x => x.Elapsed.TotalMilliseconds))).ToArray();
    var bytes = samples.Select(s => Median(s.Select(x => (double)x.Allocated))).ToArray();
    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine();
    Console.WriteLine($"{settings.Invoices:N0} invoice statuses of one session, pageSize {settings.PageSize}, median of {settings.Rounds} rounds " +
        $"({Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC})");
    Console.WriteLine($"{"path",-40} {"items",9} {"total ms",9} {"min-max ms",13} {"ns/item",8} {"B/item",8} {"gen0/2",7} {"time vs (b)",11}");
    for (var p = 0; p < names.Length; p++)
    {
        var items = p < 2 ? settings.Invoices.ToString("N0", inv) : "0";
        var range = $"{samples[p].Min(x => x.Elapsed.TotalMilliseconds):F0}-{samples[p].Max(x => x.Elapsed.TotalMilliseconds):F0}";
        var gcs = $"{Median(samples[p].Select(x => (double)x.Gen0)):F0}/{Median(samples[p].Select(x => (double)x.Gen2)):F0}";
        Console.WriteLine(string.Create(inv,
            $"{names[p],-40} {items,9} {ms[p],9:F1} {range,13} {ms[p] * 1e6 / n,8:F0} {bytes[p] / n,8:F0} {gcs,7} {ms[p] / ms[1],10:F2}x"));
    }
    var ratio = ms[0] / ms[1];
    Console.WriteLine();
    Console.WriteLine(string.Create(inv, $"(a)/(b) time: {ratio:F2}x (goal <= 1.20x: {(ratio <= 1.2 ? "met" : "MISSED")}); " +
        $"allocations (a)/(b): {bytes[0] / bytes[1]:F2}x."));
    Console.WriteLine(string.Create(inv, $"Client-side only (minus the floor (c)): (a) {(ms[0] - ms[2]) * 1e6 / n:F0} ns, {(bytes[0] - bytes[2]) / n:F0} B per item; " +
        $"(b) {(ms[1] - ms[2]) * 1e6 / n:F0} ns, {(bytes[1] - bytes[2]) / n:F0} B per item."));
    Console.WriteLine("B/item is GC.GetTotalAllocatedBytes(precise: true) over the run divided by the items: process-wide, so it includes the");
    Console.WriteLine("in-process sandbox's allocations for the same pages (the per-thread counter cannot follow a run across awaits).");
}

internal sealed record Sample(TimeSpan Elapsed, long Allocated, int Gen0, int Gen2);

internal sealed class BearerHandler(string token) : DelegatingHandler
{
    private readonly AuthenticationHeaderValue _authorization = new("Bearer", token);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = _authorization;
        return base.SendAsync(request, cancellationToken);
    }
}
