using System.Globalization;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Sending;
using Spectre.Console;

namespace KsefGen.Upo;

/// <summary>
/// Sync progress on the terminal. Interactive: live progress bars (sessions, invoices, UPOs) whose description says
/// when the client waits for a rate limit. Redirected (CI logs): one plain line per session, per failure, per wait,
/// and every 250 UPOs.
/// </summary>
internal sealed class ConsoleReporter(IAnsiConsole console) : ISyncObserver
{
    private readonly Lock _gate = new();
    private ProgressTask? _sessions;
    private ProgressTask? _invoices;
    private ProgressTask? _upos;
    private int _fetched;
    private int _pending;

    public bool Interactive => console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> with live progress (interactive) or plain lines.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        if (!Interactive) return await work().ConfigureAwait(false);
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                _sessions = context.AddTask("Sessions", maxValue: 1);
                _invoices = context.AddTask("Invoices", maxValue: 1);
                _upos = context.AddTask("UPOs", maxValue: 1);
                try
                {
                    var result = await work().ConfigureAwait(false);
                    foreach (var task in new[] { _sessions, _invoices, _upos }) task.Value = task.MaxValue;
                    return result;
                }
                finally
                {
                    _sessions.StopTask();
                    _invoices.StopTask();
                    _upos.StopTask();
                }
            }).ConfigureAwait(false);
    }

    public void SessionFound(KsefSessionSummary session)
    {
        if (_sessions is { } t) t.MaxValue = Math.Max(t.MaxValue, t.Value + 1);
        if (_sessions is { } s) s.Description = $"Sessions ({session.Type} {session.ReferenceNumber})";
    }

    public void SessionSkipped(KsefSessionSummary session)
    {
        _sessions?.Increment(1);
        Line($"{session.Type} session {session.ReferenceNumber} ({session.Code}): final and unchanged since the last run, every UPO archived: skipped");
    }

    public void InvoicesListed(KsefSessionSummary session, int invoices, int pendingUpos)
    {
        lock (_gate) _pending += pendingUpos;
        if (_invoices is { } i)
        {
            i.MaxValue = i.Value + invoices;
            i.Increment(invoices);
        }
        if (_upos is { } u) u.MaxValue = Math.Max(1, u.Value + pendingUpos);
        Line($"{session.Type} session {session.ReferenceNumber} ({session.Code}): {invoices} invoices, {pendingUpos} UPOs to fetch");
    }

    public void UpoFetched(string what)
    {
        int fetched;
        lock (_gate) fetched = ++_fetched;
        if (_upos is { } u)
        {
            u.Increment(1);
            u.Description = "UPOs";
        }
        else if (fetched % 250 == 0)
        {
            Line($"{fetched.ToString(CultureInfo.InvariantCulture)} UPOs fetched");
        }
    }

    public void UpoSkipped()
    {
    }

    public void Failed(string what, string why) => Always($"[red]FAILED[/] {Markup.Escape(what)}: {Markup.Escape(why)}");

    public void Waiting(TimeSpan delay, string why)
    {
        var text = $"waiting {delay.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s: {why}";
        if (_upos is { } u) u.Description = $"UPOs [yellow]({Markup.Escape(text)})[/]";
        else Always($"[yellow]{Markup.Escape(text)}[/]");
    }

    public void SessionDone(KsefSessionSummary session) => _sessions?.Increment(1);

    /// <summary>Turns a retry of the runtime's pipeline into a wait on the terminal.</summary>
    public void Retry(KsefRetryEvent e) => Waiting(e.Delay, e.StatusCode == System.Net.HttpStatusCode.TooManyRequests
        ? $"rate limit (429) on {e.Method} {e.RequestUri?.AbsolutePath}"
        : $"{(e.StatusCode is { } code ? ((int)code).ToString(CultureInfo.InvariantCulture) : e.Exception?.GetType().Name)} on {e.Method} {e.RequestUri?.AbsolutePath}, retrying");

    private void Line(string text)
    {
        if (!Interactive) lock (_gate) console.WriteLine(text);
    }

    private void Always(string markup)
    {
        if (Interactive) console.MarkupLine(markup);
        else lock (_gate) console.MarkupLine(markup);
    }
}
