using System.Diagnostics;
using System.Text;

namespace KsefGen.Generator.Tests;

/// <summary>Runs the dotnet CLI in a folder of its own, as a user would, not steered by the test host's MSBuild.</summary>
internal static class DotnetCli
{
    /// <summary>Runs and asserts exit code 0; returns stdout and stderr.</summary>
    public static async Task<string> RunAsync(string directory, params string[] args)
    {
        var (exitCode, text) = await TryRunAsync(directory, args);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', args)} failed with {exitCode}:\n{text}");
        return text;
    }

    /// <summary>Runs; returns the exit code with stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output)> TryRunAsync(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The test host runs under MSBuild/VSTest: do not let its variables steer the child build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, new StringBuilder().Append(await stdout).Append(await stderr).ToString());
    }
}
