using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KsefGen.Sandbox.Bench;

/// <summary>
/// The memory run: the real sandbox (KsefGen.Sandbox.dll from this bench's output) as a child process, seeded with at
/// least a million invoices; the time until it has seeded and serves, a few requests over the large session, and the
/// child's resident set from /proc. A child process keeps the harness's own memory out of the figure.
/// </summary>
internal static partial class MemoryBenchmark
{
    public const long RssGoalBytes = 1_500_000_000;
    public static readonly TimeSpan SeedingGoal = TimeSpan.FromSeconds(60);
    private const int PageSize = 1000;

    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.WriteLine("--memory reads /proc/<pid>/status and runs on Linux only.");
            return 1;
        }
        var dll = Path.Combine(AppContext.BaseDirectory, "KsefGen.Sandbox.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("The sandbox is not beside the bench.", dll);
        var large = (settings.Invoices + settings.Contexts - 1) / settings.Contexts;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--urls", "http://127.0.0.1:0", $"--Sandbox:Contexts={settings.Contexts}", $"--Sandbox:LargeSessionInvoices={large}", "--Sandbox:RateLimits=false" })
        {
            start.ArgumentList.Add(arg);
        }
        Console.WriteLine($"KsefGen.Sandbox.Bench: memory run\n  {dotnet} {string.Join(' ', start.ArgumentList)}");

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The sandbox did not start.");
        try
        {
            var ready = new TaskCompletionSource<(Uri Address, string Seeded)>(TaskCreationOptions.RunContinuationsAsynchronously);
            Uri? address = null;
            TimeSpan? listening = null;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                // The host starts listening first and seeds when the store is first asked for (Program does so at once).
                if (listening is null && e.Data.Contains("Now listening on", StringComparison.Ordinal)) listening = watch.Elapsed;
                if (ApiLine().Match(e.Data) is { Success: true } api) address = new Uri(api.Groups[1].Value.TrimEnd('/') + "/");
                if (SeededLine().IsMatch(e.Data) && address is not null) ready.TrySetResult((address, e.Data.Trim()));
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) Console.Error.WriteLine("  sandbox: " + e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var exited = process.WaitForExitAsync(cancellationToken);
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(5), cancellationToken)).ConfigureAwait(false);
            if (first != ready.Task) throw new InvalidOperationException(process.HasExited ? $"The sandbox exited with {process.ExitCode}." : "The sandbox was not ready within 5 minutes.");
            var (baseAddress, seeded) = await ready.Task.ConfigureAwait(false);
            var readyAfter = watch.Elapsed;
            var seededRss = Rss(process.Id);
            Console.WriteLine($"  {seeded}");

            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var requests = await ExerciseAsync(http, cancellationToken).ConfigureAwait(false);
            var (rss, peak) = Rss(process.Id);

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine();
            Console.WriteLine($"{"request (first calls include JIT compilation)",-92} {"status",6} {"ms",9}");
            Console.WriteLine(new string('-', 109));
            foreach (var (name, status, ms) in requests) Console.WriteLine(string.Create(inv, $"{name,-92} {status,6} {ms,9:F1}"));
            Console.WriteLine();
            var seeding = listening is { } l ? string.Create(inv, $"; of which seeding (listening -> seeded) about {(readyAfter - l).TotalSeconds:F1} s") : "";
            Console.WriteLine(string.Create(inv, $"process start -> seeded and serving: {readyAfter.TotalSeconds:F1} s (goal < {SeedingGoal.TotalSeconds:F0} s: {(readyAfter < SeedingGoal ? "met" : "MISSED")}){seeding}"));
            Console.WriteLine(string.Create(inv, $"VmRSS after seeding:                 {Mb(seededRss.Rss)}"));
            Console.WriteLine(string.Create(inv, $"VmRSS after the requests:            {Mb(rss)} (peak VmHWM {Mb(peak)}; goal < {Mb(RssGoalBytes)}: {(peak < RssGoalBytes ? "met" : "MISSED")})"));
            var failed = requests.Count(r => r.Status is < 200 or >= 300);
            return failed == 0 && peak < RssGoalBytes && readyAfter < SeedingGoal ? 0 : 1;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A session list, the large session's status, pages of it (all and failed), one deep invoice, UPOs.</summary>
    private static async Task<List<(string Name, int Status, double Ms)>> ExerciseAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var log = new List<(string, int, double)>();

        async Task<(JsonElement Body, string? Continuation)> GetAsync(string name, string path, string? continuation = null, bool json = true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (continuation is not null) request.Headers.TryAddWithoutValidation("x-continuation-token", continuation);
            var watch = Stopwatch.StartNew();
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            log.Add((name, (int)response.StatusCode, watch.Elapsed.TotalMilliseconds));
            if (!json || bytes.Length == 0 || !response.IsSuccessStatusCode) return (default, null);
            var body = JsonDocument.Parse(bytes).RootElement.Clone();
            // The next page's token comes in the body and goes back in the x-continuation-token header.
            var next = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("continuationToken", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
            return (body, next);
        }

        var (contexts, _) = await GetAsync("GET /sandbox/contexts", "sandbox/contexts").ConfigureAwait(false);
        var nip = contexts[0].GetProperty("nip").GetString()!;
        using (var tokenResponse = await http.PostAsJsonAsync("sandbox/access-tokens", new { contextNip = nip }, cancellationToken).ConfigureAwait(false))
        {
            tokenResponse.EnsureSuccessStatusCode();
            var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false)).GetProperty("accessToken").GetString();
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        var (list, _) = await GetAsync("GET /v2/sessions?sessionType=Batch&pageSize=100", "v2/sessions?sessionType=Batch&pageSize=100").ConfigureAwait(false);
        var largest = list.GetProperty("sessions").EnumerateArray().MaxBy(s => s.GetProperty("totalInvoiceCount").GetInt32());
        var reference = largest.GetProperty("referenceNumber").GetString()!;
        var total = largest.GetProperty("totalInvoiceCount").GetInt32();
        await GetAsync("GET /v2/sessions?sessionType=Online", "v2/sessions?sessionType=Online").ConfigureAwait(false);

        var (status, _) = await GetAsync($"GET /v2/sessions/{{large}} ({total:N0} invoices)", $"v2/sessions/{reference}").ConfigureAwait(false);
        await GetAsync("GET /v2/sessions/{large} again", $"v2/sessions/{reference}").ConfigureAwait(false);

        string? continuation = null;
        JsonElement page = default;
        for (var i = 1; i <= 10; i++)
        {
            (page, continuation) = await GetAsync($"GET /v2/sessions/{{large}}/invoices?pageSize={PageSize}, page {i}", $"v2/sessions/{reference}/invoices?pageSize={PageSize}", continuation).ConfigureAwait(false);
        }
        var accepted = page.GetProperty("invoices").EnumerateArray().First(i => i.GetProperty("status").GetProperty("code").GetInt32() == 200);

        // The whole failed list: each page skips over everything before it.
        continuation = null;
        var failedPages = 0;
        var failedWatch = Stopwatch.StartNew();
        double slowest = 0;
        JsonElement lastFailed = default;
        var before = log.Count;
        do
        {
            (page, continuation) = await GetAsync("failed page", $"v2/sessions/{reference}/invoices/failed?pageSize={PageSize}", continuation).ConfigureAwait(false);
            var items = page.GetProperty("invoices");
            if (items.GetArrayLength() > 0) lastFailed = items[items.GetArrayLength() - 1];
            failedPages++;
            slowest = Math.Max(slowest, log[^1].Item3);
        }
        while (continuation is not null && failedPages < 1000);
        var failedStatus = log.Skip(before).All(l => l.Item2 == 200) ? 200 : log.Skip(before).First(l => l.Item2 != 200).Item2;
        log.RemoveRange(before, log.Count - before);
        log.Add(($"GET /v2/sessions/{{large}}/invoices/failed?pageSize={PageSize}, all {failedPages} pages (slowest {slowest:F1} ms)", failedStatus, failedWatch.Elapsed.TotalMilliseconds));

        var deep = lastFailed.GetProperty("referenceNumber").GetString();
        await GetAsync($"GET /v2/sessions/{{large}}/invoices/{{ref}} (ordinal {lastFailed.GetProperty("ordinalNumber").GetInt32():N0})", $"v2/sessions/{reference}/invoices/{deep}").ConfigureAwait(false);
        await GetAsync("GET /v2/sessions/{large}/invoices/{ref}/upo", $"v2/sessions/{reference}/invoices/{accepted.GetProperty("referenceNumber").GetString()}/upo", json: false).ConfigureAwait(false);
        await GetAsync("GET /v2/sessions/{large}/invoices/ksef/{ksefNumber}/upo", $"v2/sessions/{reference}/invoices/ksef/{accepted.GetProperty("ksefNumber").GetString()}/upo", json: false).ConfigureAwait(false);
        var upoPage = status.GetProperty("upo").GetProperty("pages")[0].GetProperty("referenceNumber").GetString();
        await GetAsync("GET /v2/sessions/{large}/upo/{upoRef} (page 1 of the session UPO, signed)", $"v2/sessions/{reference}/upo/{upoPage}", json: false).ConfigureAwait(false);
        await GetAsync("GET /v2/sessions/{large}/upo/{upoRef} again (cached)", $"v2/sessions/{reference}/upo/{upoPage}", json: false).ConfigureAwait(false);
        return log;
    }

    private static (long Rss, long Peak) Rss(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line);
        }
        return (rss, peak);

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:N0} MB");

    [GeneratedRegex(@"KSeF 2\.0 API at (http://\S+?)/v2")]
    private static partial Regex ApiLine();

    [GeneratedRegex(@"^Seeded \d+ sessions and \d+ invoices in \d+ contexts")]
    private static partial Regex SeededLine();
}
