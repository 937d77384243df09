using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace KsefGen.Sandbox.Tests;

/// <summary>The sandbox as users install it: dotnet pack → dotnet tool install from a folder feed → ksef-sandbox.</summary>
public sealed class ToolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PackedToolInstallsAndServes()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "KsefGen.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var configuration = typeof(ToolTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var work = Directory.CreateTempSubdirectory("ksefgen-tool-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            // --no-build: the test run has built the sandbox already; building again here would race other test assemblies.
            await Dotnet(root.FullName, "pack", "sandbox-server/KsefGen.Sandbox/KsefGen.Sandbox.csproj", "-c", configuration, "--no-build", "-o", feed, $"-p:Version={version}");
            var tools = Path.Combine(work.FullName, "tools");
            await Dotnet(work.FullName, "tool", "install", "KsefGen.Sandbox", "--tool-path", tools, "--add-source", feed, "--version", version);

            var start = new ProcessStartInfo(Path.Combine(tools, OperatingSystem.IsWindows() ? "ksef-sandbox.exe" : "ksef-sandbox"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[] { "--urls", "http://127.0.0.1:0", "--Sandbox:LargeSessionInvoices=50", "--Logging:LogLevel:Default=Warning" }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            try
            {
                string? api = null;
                var seen = new StringBuilder();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                while (api is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    seen.AppendLine(line);
                    var at = line.IndexOf("http://", StringComparison.Ordinal);
                    if (line.Contains("KSeF 2.0 API at", StringComparison.Ordinal) && at >= 0) api = line[at..].Split(',')[0].Trim();
                }
                Assert.True(api is not null, "the tool did not print its address:\n" + seen);
                using var http = new HttpClient { BaseAddress = new Uri(api![..api.LastIndexOf("/v2", StringComparison.Ordinal)] + "/") };
                var contexts = await http.GetFromJsonAsync<JsonElement>("sandbox/contexts", Ct);
                Assert.True(contexts.GetArrayLength() >= 2);
                var nip = contexts[0].GetProperty("nip").GetString();
                using var token = await http.PostAsJsonAsync("sandbox/access-tokens", new { contextNip = nip }, Ct);
                token.EnsureSuccessStatusCode();
                using var challenge = await http.PostAsync("v2/auth/challenge", null, Ct);
                challenge.EnsureSuccessStatusCode();
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(Ct);
            }
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static async Task Dotnet(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed with {process.ExitCode}:\n{await stdout}{await stderr}");
    }
}
