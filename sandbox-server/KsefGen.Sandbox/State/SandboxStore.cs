using System.Collections.Concurrent;

namespace KsefGen.Sandbox.State;

/// <summary>Everything the sandbox knows, in memory: contexts, sessions and their invoices.</summary>
public sealed class SandboxStore
{
    private readonly ConcurrentDictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxContext> _contexts = new(StringComparer.Ordinal);

    /// <summary>The seeded contexts, in seeding order.</summary>
    public IReadOnlyList<SandboxContext> Contexts { get; private set; } = [];

    /// <summary>Adds a context.</summary>
    public void AddContext(SandboxContext context)
    {
        _contexts.Add(context.Nip, context);
        Contexts = [.. Contexts, context];
    }

    /// <summary>True when the NIP is a context of this sandbox.</summary>
    public bool HasContext(string nip) => _contexts.ContainsKey(nip);

    /// <summary>Adds a session.</summary>
    public void AddSession(SessionRecord session)
    {
        if (!_sessions.TryAdd(session.ReferenceNumber, session)) throw new InvalidOperationException($"Session {session.ReferenceNumber} exists already.");
    }

    /// <summary>The session with that reference number, but only when it belongs to <paramref name="contextNip"/>.</summary>
    public SessionRecord? FindSession(string contextNip, string referenceNumber) =>
        _sessions.TryGetValue(referenceNumber, out var session) && session.ContextNip == contextNip ? session : null;

    /// <summary>Any session by reference number, whatever its context (for storage links, which carry no token).</summary>
    public SessionRecord? FindAnySession(string referenceNumber) => _sessions.TryGetValue(referenceNumber, out var session) ? session : null;

    /// <summary>All sessions of a context.</summary>
    public IEnumerable<SessionRecord> SessionsOf(string contextNip) => _sessions.Values.Where(s => s.ContextNip == contextNip);

    /// <summary>How many sessions and invoices the store holds.</summary>
    public (int Sessions, int Invoices) Count() => (_sessions.Count, _sessions.Values.Sum(s => s.Invoices.Count));
}
