using System.Globalization;
using System.Net;
using System.Runtime;

namespace KsefGen.Sandbox.Bench;

/// <summary>One scenario: the sandbox request and the bare route that answers with the same bytes.</summary>
internal sealed record Scenario(string Name, Target Sandbox, Target Bare, int BodyBytes);

/// <summary>The figures of one scenario for both servers (and wrk's, when it ran).</summary>
internal sealed record ScenarioResult(Scenario Scenario, Sample Sandbox, Sample Bare, double OthersShare, WrkResult? WrkSandbox = null, WrkResult? WrkBare = null);

/// <summary>
/// The load run: the sandbox and the bare endpoint in this process, one closed-loop client, each scenario warmed up on
/// both servers and then measured in alternating rounds (sandbox, bare; bare, sandbox; ...) so drift hits both alike.
/// </summary>
internal static class LoadBenchmark
{
    public const double ThroughputGoal = 0.5;
    public const double P99GoalMs = 5.0;
    private const int PageSize = 100;
    private const int LaterPage = 10;

    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        await using var sandbox = await SandboxServer.StartAsync(settings.LargeSession, cancellationToken).ConfigureAwait(false);
        var nip = sandbox.Store.Contexts[0].Nip;
        var large = sandbox.Store.SessionsOf(nip).MaxBy(s => s.Invoices.Count)!;
        var token = await sandbox.AccessTokenAsync(nip, cancellationToken).ConfigureAwait(false);
        using var load = new LoadGenerator(settings.Connections);

        var statusTarget = new Target(new Uri(sandbox.Address, $"v2/sessions/{large.ReferenceNumber}"), token);
        var pageTarget = new Target(new Uri(sandbox.Address, $"v2/sessions/{large.ReferenceNumber}/invoices?pageSize={PageSize}"), token);
        // Follow the continuation tokens to a later page (the 10th, or the last one of a smaller session).
        var page = 1;
        string? continuation = null;
        var lastPage = (large.Invoices.Count + PageSize - 1) / PageSize;
        while (page < Math.Min(LaterPage, lastPage))
        {
            continuation = (await load.FetchAsync(pageTarget with { ContinuationToken = continuation }, cancellationToken).ConfigureAwait(false)).Continuation
                ?? throw new InvalidOperationException($"No continuation token after page {page}.");
            page++;
        }

        var sandboxTargets = new List<(string Name, Target Target)>
        {
            ("GET /v2/sessions/{ref}", statusTarget),
            ($"GET /v2/sessions/{{ref}}/invoices?pageSize={PageSize}, page 1", pageTarget),
        };
        if (continuation is not null) sandboxTargets.Add(($"... page {page} (x-continuation-token)", pageTarget with { ContinuationToken = continuation }));

        // Capture each sandbox response once: the bare routes serve exactly these bytes with the same content type.
        var bodies = new List<(byte[] Body, string ContentType)>();
        foreach (var (name, target) in sandboxTargets)
        {
            var (status, body, contentType, _) = await load.FetchAsync(target, cancellationToken).ConfigureAwait(false);
            if (status != HttpStatusCode.OK) throw new InvalidOperationException($"{name}: the sandbox answered {(int)status}: {System.Text.Encoding.UTF8.GetString(body)}");
            bodies.Add((body, contentType ?? "application/json; charset=utf-8"));
        }
        await using var bare = await BareServer.StartAsync(bodies, cancellationToken).ConfigureAwait(false);
        // The bare route gets the same request (headers included) and ignores it.
        var scenarios = sandboxTargets.Select((s, i) => new Scenario(s.Name, s.Target, s.Target with { Url = new Uri(bare.Address, $"bare/{i}") }, bodies[i].Body.Length)).ToList();
        foreach (var scenario in scenarios)
        {
            var check = await load.FetchAsync(scenario.Bare, cancellationToken).ConfigureAwait(false);
            if (check.Status != HttpStatusCode.OK || check.Body.Length != scenario.BodyBytes || check.ContentType != bodies[scenarios.IndexOf(scenario)].ContentType)
            {
                throw new InvalidOperationException($"The bare route of '{scenario.Name}' does not answer like the sandbox.");
            }
        }

        PrintHeader(settings, large.Invoices.Count, page, await MachineLoad.SampleOthersAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false));
        var results = new List<ScenarioResult>();
        var segment = settings.Duration / settings.Rounds;
        foreach (var scenario in scenarios)
        {
            Console.Write($"  {scenario.Name}: warm-up");
            await load.RunAsync(scenario.Sandbox, settings.Warmup, cancellationToken).ConfigureAwait(false);
            await load.RunAsync(scenario.Bare, settings.Warmup, cancellationToken).ConfigureAwait(false);
            var sandboxTotal = new Sample();
            var bareTotal = new Sample();
            var machine = MachineLoad.Take();
            for (var round = 0; round < settings.Rounds; round++)
            {
                Console.Write($", round {round + 1}");
                var order = round % 2 == 0 ? new[] { (scenario.Sandbox, sandboxTotal), (scenario.Bare, bareTotal) } : [(scenario.Bare, bareTotal), (scenario.Sandbox, sandboxTotal)];
                foreach (var (target, total) in order)
                {
                    Settle();
                    total.Add(await load.RunAsync(target, segment, cancellationToken).ConfigureAwait(false));
                }
            }
            var others = MachineLoad.Take().OthersShareSince(machine);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $" (other processes used {others:P0} of the CPUs meanwhile)"));
            results.Add(new ScenarioResult(scenario, sandboxTotal, bareTotal, others));
        }

        if (settings.Wrk)
        {
            if (Wrk.Find() is not { } wrk)
            {
                Console.WriteLine("  --wrk: wrk is not on PATH (Debian: apt-get install -y wrk); skipped.");
            }
            else
            {
                var seconds = Math.Max(2, (int)Math.Round(segment.TotalSeconds));
                for (var i = 0; i < results.Count; i++)
                {
                    Console.WriteLine($"  wrk: {results[i].Scenario.Name}");
                    var wrkSandbox = await Wrk.RunAsync(wrk, results[i].Scenario.Sandbox, settings.Connections, seconds, cancellationToken).ConfigureAwait(false);
                    var wrkBare = await Wrk.RunAsync(wrk, results[i].Scenario.Bare, settings.Connections, seconds, cancellationToken).ConfigureAwait(false);
                    results[i] = results[i] with { WrkSandbox = wrkSandbox, WrkBare = wrkBare };
                }
            }
        }

        PrintTable(results);
        return results.All(r => r.Sandbox.Failures == 0 && r.Bare.Failures == 0) ? 0 : 1;
    }

    private static void PrintHeader(BenchSettings settings, int largeInvoices, int laterPage, double othersBefore)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"""
            KsefGen.Sandbox.Bench: load run{(settings.Quick ? " (quick)" : "")}
              client and both servers in this one process on {Environment.ProcessorCount} cores ({(GCSettings.IsServerGC ? "server" : "workstation")} GC): they compete for the same CPUs
              {settings.Connections} connections, closed loop; per scenario and server: {settings.Warmup.TotalSeconds:0.#} s warm-up, then {settings.Rounds} alternating round(s), {settings.Duration.TotalSeconds:0.#} s measured in all
              large session: {largeInvoices:N0} invoices; the later page is page {laterPage}
              other processes used {othersBefore:P0} of the CPUs just before the run (anything above a few percent skews the figures)
            """));
    }

    private static void PrintTable(List<ScenarioResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-58} {"server",-8} {"req/s",9} {"p50 ms",8} {"p99 ms",8} {"body B",8} {"fails",6} {"alloc/req",10} {"GC pause",8} {"others",6}");
        Console.WriteLine(new string('-', 137));
        foreach (var r in results)
        {
            void Row(string scenario, string server, Sample s, string others = "") => Console.WriteLine(string.Create(inv,
                $"{scenario,-58} {server,-8} {s.RequestsPerSecond,9:N0} {s.PercentileMs(0.50),8:F2} {s.PercentileMs(0.99),8:F2} {r.Scenario.BodyBytes,8:N0} {s.Failures,6} {s.AllocatedPerRequest / 1024,8:N1}KB {s.GcPausePercent,7:F1}%{others}"));
            Row(r.Scenario.Name, "sandbox", r.Sandbox, string.Create(inv, $" {r.OthersShare,6:P0}"));
            Row("", "bare", r.Bare);
            var ratio = r.Sandbox.RequestsPerSecond / r.Bare.RequestsPerSecond;
            var p99 = r.Sandbox.PercentileMs(0.99);
            Console.WriteLine(string.Create(inv,
                $"{"",-58} {"ratio",-8} {ratio,9:F2} {r.Sandbox.PercentileMs(0.50) / r.Bare.PercentileMs(0.50),8:F2} {p99 / r.Bare.PercentileMs(0.99),8:F2}   goal: ratio >= {ThroughputGoal} {(ratio >= ThroughputGoal ? "met" : "MISSED")}, p99 < {P99GoalMs} ms {(p99 < P99GoalMs ? "met" : "MISSED")}"));
            if (r.WrkSandbox is { } ws && r.WrkBare is { } wb)
            {
                Console.WriteLine(string.Create(inv,
                    $"{"  (wrk, same scenario)",-58} {"sandbox",-8} {ws.RequestsPerSecond,9:N0} {ws.P50Ms,8:F2} {ws.P99Ms,8:F2} {"",8} {ws.Failures,6}"));
                Console.WriteLine(string.Create(inv,
                    $"{"",-58} {"bare",-8} {wb.RequestsPerSecond,9:N0} {wb.P50Ms,8:F2} {wb.P99Ms,8:F2} {"",8} {wb.Failures,6}"));
                Console.WriteLine(string.Create(inv,
                    $"{"",-58} {"ratio",-8} {ws.RequestsPerSecond / wb.RequestsPerSecond,9:F2} {ws.P50Ms / wb.P50Ms,8:F2} {ws.P99Ms / wb.P99Ms,8:F2}"));
            }
        }
        Console.WriteLine("ratio = sandbox / bare (throughput: higher is better; latency: lower is better).");
        Console.WriteLine("alloc/req and GC pause are process-wide (client and servers) over the measured segments; others = the CPU share");
        Console.WriteLine("other processes used during the scenario's measured rounds.");
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
