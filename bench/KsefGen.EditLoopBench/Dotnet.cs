using System.Diagnostics;
using System.Text;

namespace KsefGen.EditLoopBench;

/// <summary>Runs the dotnet CLI with captured output; a non-zero exit fails loudly with the output's tail.</summary>
internal static class Dotnet
{
    private const int TailLines = 60;

    /// <summary>Runs dotnet with the arguments in the directory; returns the wall time. Throws on a non-zero exit.</summary>
    public static async Task<TimeSpan> RunAsync(string directory, IEnumerable<string> args, bool compilerServer, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Under dotnet test or dotnet run the parent's MSBuild variables would steer the child build: drop them. That
        // also drops MSBUILDDISABLENODEREUSE, and UseSharedCompilation goes too, so node reuse and the compiler server
        // are at the SDK's defaults (on): the user's edit loop. Machines that turn them off in the environment (CI,
        // this project's) would otherwise measure a fresh csc per build.
        foreach (var key in start.Environment.Keys
                     .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                                 || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                                 || k == "DOTNET_HOST_PATH"
                                 || k.Equals("UseSharedCompilation", StringComparison.OrdinalIgnoreCase))
                     .ToList())
        {
            start.Environment.Remove(key);
        }
        if (!compilerServer)
        {
            start.Environment["UseSharedCompilation"] = "false";
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        var gate = new object();
        void Append(string? line)
        {
            if (line is null) return;
            lock (gate) output.AppendLine(line);
        }

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        process.WaitForExit(); // drains the asynchronous readers
        watch.Stop();

        if (process.ExitCode != 0)
        {
            string text;
            lock (gate) text = output.ToString();
            var tail = string.Join('\n', text.Split('\n').TakeLast(TailLines));
            throw new BuildFailedException(
                $"dotnet {string.Join(' ', start.ArgumentList)} (in {directory}) failed with exit code {process.ExitCode}; last lines:\n{tail}");
        }
        return watch.Elapsed;
    }
}

/// <summary>A dotnet command of the bench failed.</summary>
public sealed class BuildFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BuildFailedException() { }

    /// <summary>Creates the exception with a message.</summary>
    public BuildFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public BuildFailedException(string message, Exception inner) : base(message, inner) { }
}
