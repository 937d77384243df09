using System.Text;
using KsefGen.Sandbox;
using KsefGen.Sandbox.State;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace KsefGen.Upo.Tests;

/// <summary>
/// The sandbox in-process, small (a 30-invoice "large" session, no rate limits), shared by the tests of a class, with
/// helpers to run <c>ksef-upo</c> against it into fresh folders.
/// </summary>
public class UpoSandbox : IAsyncLifetime
{
    private readonly List<DirectoryInfo> _folders = [];

    internal KsefSandbox Sandbox { get; private set; } = null!;

    internal SandboxStore Store => Sandbox.Services.GetRequiredService<SandboxStore>();

    public string Nip => Sandbox.Context.Nip;

    /// <summary>The official UPO XSDs beside the repository (../shared/ksef-spec/upo), when there.</summary>
    public static string? Schemas
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KsefGen.sln"))) dir = dir.Parent;
            var path = dir is null ? null : Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "ksef-spec", "upo"));
            return path is not null && File.Exists(Path.Combine(path, "upo-v4-3.xsd")) ? path : null;
        }
    }

    public async ValueTask InitializeAsync()
    {
        Sandbox = await KsefSandbox.StartAsync(Configure, TestContext.Current.CancellationToken);
    }

    /// <summary>The sandbox settings: small and fast.</summary>
    protected virtual void Configure(KsefGen.Sandbox.SandboxOptions options)
    {
        options.LargeSessionInvoices = 30;
        options.RateLimits = false;
        options.ProcessingDelay = TimeSpan.FromSeconds(1);
        options.AuthenticationDelay = TimeSpan.FromMilliseconds(50);
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await Sandbox.DisposeAsync();
        foreach (var folder in _folders)
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public string Folder()
    {
        var folder = Directory.CreateTempSubdirectory("ksef-upo-test-");
        lock (_folders) _folders.Add(folder);
        return folder.FullName;
    }

    /// <summary>Runs <c>ksef-upo</c> with these arguments against the sandbox; returns the exit code and the output.</summary>
    internal async Task<(int Exit, string Output)> RunAsync(string[] args, Func<HttpMessageHandler>? handler, CancellationToken cancellationToken)
    {
        var output = new StringWriter(new StringBuilder());
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 400;
        var hooks = new ToolHooks { RunningSandbox = Sandbox, Handler = handler, PropagateExceptions = true };
        var exit = await KsefUpoApp.RunAsync(args, console, hooks, cancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        return (exit, output.ToString());
    }

    /// <summary>sync into <paramref name="archive"/> with the ledger at <paramref name="db"/> (outside the archive).</summary>
    internal Task<(int Exit, string Output)> SyncAsync(string archive, string db, Func<HttpMessageHandler>? handler, CancellationToken cancellationToken)
    {
        var args = new List<string> { "sync", "--archive", archive, "--db", db };
        if (Schemas is { } schemas) args.AddRange(["--schemas", schemas]);
        return RunAsync([.. args], handler, cancellationToken);
    }
}

/// <summary>Requests seen by the handlers of one run (or several).</summary>
internal sealed class RequestCounter
{
    private int _storage;
    private int _all;

    public int StorageRequests => Volatile.Read(ref _storage);

    public int AllRequests => Volatile.Read(ref _all);

    /// <summary>Counts a request; returns its number among all requests.</summary>
    public int Count(HttpRequestMessage request)
    {
        if (request.RequestUri!.AbsolutePath.StartsWith("/storage/upo/", StringComparison.Ordinal)) Interlocked.Increment(ref _storage);
        return Interlocked.Increment(ref _all);
    }

    /// <summary>A handler factory for <see cref="ToolHooks.Handler"/> that counts here and may fail a request.</summary>
    public Func<HttpMessageHandler> Handler(Func<HttpRequestMessage, int, Exception?>? fault = null) => () => new CountingHandler(this, fault);

    private sealed class CountingHandler(RequestCounter counter, Func<HttpRequestMessage, int, Exception?>? fault) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = counter.Count(request);
            if (fault?.Invoke(request, n) is { } e) throw e;
            return await base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A process that died: nothing in the tool catches it.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
