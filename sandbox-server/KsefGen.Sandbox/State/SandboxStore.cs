using System.Collections.Concurrent;

namespace KsefGen.Sandbox.State;

/// <summary>A person added through /testdata/person: owner of a NIP (a sole trader), possibly a bailiff.</summary>
internal sealed record TestPerson(string Pesel, string Nip, bool IsBailiff, bool IsDeceased);

/// <summary>
/// A KSeF token the sandbox accepts for /auth/ksef-token: its secret text, reference number and context, who made it,
/// what it allows, and its life (Pending → Active → Revoked).
/// </summary>
internal sealed class KsefTokenRecord(string token, string referenceNumber, string contextNip)
{
    /// <summary>The secret text the client encrypts ("{reference}|nip-{nip}|{secret}").</summary>
    public string Token { get; } = token;

    /// <summary>The token's reference number.</summary>
    public string ReferenceNumber { get; } = referenceNumber;

    /// <summary>The context the token acts for.</summary>
    public string ContextNip { get; } = contextNip;

    /// <summary>Who generated the token (null for seeded tokens: the context's owner).</summary>
    public SubjectIdentifier? Author { get; init; }

    /// <summary>What the token allows (null for seeded tokens: everything the owner may do).</summary>
    public IReadOnlyList<string>? Permissions { get; init; }

    /// <summary>The description given at generation.</summary>
    public string Description { get; init; } = "";

    /// <summary>When it was generated.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>When it last authenticated someone.</summary>
    public DateTimeOffset? LastUse { get; set; }

    /// <summary>Pending, Active, Revoking, Revoked or Failed (the AuthenticationTokenStatus values).</summary>
    public string Status { get; set; } = "Active";
}

/// <summary>
/// Everything the sandbox knows, in memory: contexts and their KSeF tokens, sessions and their invoices, pending
/// challenges and authentication operations, and the duplicate index (seller NIP + invoice kind + invoice number).
/// </summary>
internal sealed class SandboxStore
{
    private readonly ConcurrentDictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxContext> _contexts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KsefTokenRecord> _ksefTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _challenges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthOperationRecord> _authOperations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PermissionGrant> _grants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _seeded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TestPerson> _persons = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _flags = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ContextNip, int Status)> _permissionOperations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (SessionRecord Session, InvoiceRecord Invoice)> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ExportRecord> _exports = new(StringComparer.Ordinal);
    private volatile SandboxContext[] _contextList = [];

    /// <summary>The limits test data changed (session, rate and certificate limits).</summary>
    public LimitSettings Limits { get; private set; } = new(10_000);

    /// <summary>Sets the session maximum and the rate-limit scale of the default limits (from the options).</summary>
    public void UseDefaultLimits(int maxInvoices, int rateScale) => Limits = new LimitSettings(maxInvoices, rateScale);

    /// <summary>The seeded contexts, in seeding order.</summary>
    public IReadOnlyList<SandboxContext> Contexts => _contextList;

    /// <summary>Adds a context.</summary>
    public void AddContext(SandboxContext context)
    {
        if (!_contexts.TryAdd(context.Nip, context)) throw new InvalidOperationException($"Context {context.Nip} exists already.");
        _contextList = [.. _contextList, context];
    }

    /// <summary>True when the NIP is one of the contexts the seed created (not one that appeared through authentication).</summary>
    public bool IsSeeded(string nip) => _seeded.ContainsKey(nip);

    /// <summary>Marks the contexts present now as the seeded ones.</summary>
    public void MarkSeeded()
    {
        foreach (var nip in _contexts.Keys) _seeded[nip] = 0;
    }

    /// <summary>True when the NIP is a context of this sandbox.</summary>
    public bool HasContext(string nip) => _contexts.ContainsKey(nip);

    /// <summary>
    /// The context of a NIP, created empty (no history) the first time someone authenticates for it — like KSeF TEST,
    /// where any self-signed certificate makes its NIP a context.
    /// </summary>
    public SandboxContext EnsureContext(string nip)
    {
        if (_contexts.TryGetValue(nip, out var known)) return known;
        lock (_contexts)
        {
            if (_contexts.TryGetValue(nip, out known)) return known;
            var context = new SandboxContext(nip, "Podmiot " + nip);
            AddContext(context);
            return context;
        }
    }

    /// <summary>Records a permission grant.</summary>
    public void AddGrant(PermissionGrant grant) => _grants[grant.Id] = grant;

    /// <summary>Removes a grant; false when there is none with that id.</summary>
    public bool RemoveGrant(string id) => _grants.TryRemove(id, out _);

    /// <summary>Every grant.</summary>
    public IEnumerable<PermissionGrant> Grants => _grants.Values;

    /// <summary>
    /// What a subject may do in a context: everything when it is the context's own NIP (the owner), otherwise what was
    /// granted to it there. Empty when it has no business in the context.
    /// </summary>
    public IReadOnlyList<string> PermissionsOf(SubjectIdentifier subject, string contextNip)
    {
        if (IsOwner(subject, contextNip)) return KsefPermissions.Owner;
        return [.. _grants.Values.Where(g => g.ContextNip == contextNip && g.Subject == subject).Select(g => g.Permission).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// True for the owner of a context: its own NIP, or a person added by /testdata/person for it (a bailiff also gets
    /// EnforcementOperations, which the owner's permissions include).
    /// </summary>
    public bool IsOwner(SubjectIdentifier subject, string contextNip) =>
        subject.IsNip(contextNip) || (subject.Type == "Pesel" && _persons.TryGetValue(subject.Value, out var person) && person.Nip == contextNip);

    /// <summary>Adds a test person (PESEL) who owns a NIP; false when the PESEL exists already.</summary>
    public bool AddPerson(string pesel, string nip, bool bailiff, bool deceased) => _persons.TryAdd(pesel, new TestPerson(pesel, nip, bailiff, deceased));

    /// <summary>Removes the test persons who own a NIP.</summary>
    public void RemovePersonsOf(string nip)
    {
        foreach (var person in _persons.Values.Where(p => p.Nip == nip).ToList()) _persons.TryRemove(person.Pesel, out _);
    }

    /// <summary>A test person by PESEL.</summary>
    public TestPerson? FindPerson(string pesel) => _persons.TryGetValue(pesel, out var person) ? person : null;

    /// <summary>Whether authentication into the context is blocked (/testdata/context/block).</summary>
    public bool IsBlocked(string contextNip) => _flags.ContainsKey("blocked|" + contextNip);

    /// <summary>Blocks or unblocks authentication into a context.</summary>
    public void SetBlocked(string contextNip, bool blocked) => SetFlag("blocked|" + contextNip, blocked);

    /// <summary>Whether the taxpayer may send invoices with attachments (/testdata/attachment).</summary>
    public bool AttachmentsAllowed(string nip) => _flags.ContainsKey("attachments|" + nip);

    /// <summary>Allows or disallows invoices with attachments for a NIP.</summary>
    public void SetAttachmentsAllowed(string nip, bool allowed) => SetFlag("attachments|" + nip, allowed);

    /// <summary>Records the outcome of a permission operation (/permissions/operations/{referenceNumber}).</summary>
    public void AddPermissionOperation(string referenceNumber, string contextNip, int status) => _permissionOperations[referenceNumber] = (contextNip, status);

    /// <summary>A permission operation's context and status.</summary>
    public (string ContextNip, int Status)? FindPermissionOperation(string referenceNumber) =>
        _permissionOperations.TryGetValue(referenceNumber, out var operation) ? operation : null;

    private void SetFlag(string key, bool on)
    {
        if (on) _flags[key] = 0;
        else _flags.TryRemove(key, out _);
    }

    /// <summary>The authentication operations of a context (its authentication sessions).</summary>
    public IEnumerable<AuthOperationRecord> AuthOperationsOf(string contextNip) => _authOperations.Values.Where(o => o.ContextNip == contextNip);

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

    /// <summary>All sessions.</summary>
    public IEnumerable<SessionRecord> Sessions => _sessions.Values;

    /// <summary>How many sessions and invoices the store holds.</summary>
    public (int Sessions, int Invoices) Count() => (_sessions.Count, _sessions.Values.Sum(s => s.Invoices.Count));

    /// <summary>Registers a KSeF token.</summary>
    public void AddKsefToken(KsefTokenRecord token) => _ksefTokens[token.Token] = token;

    /// <summary>The KSeF token with that secret text, if any.</summary>
    public KsefTokenRecord? FindKsefToken(string token) => _ksefTokens.TryGetValue(token, out var found) ? found : null;

    /// <summary>The KSeF tokens of a context.</summary>
    public IEnumerable<KsefTokenRecord> KsefTokensOf(string contextNip) => _ksefTokens.Values.Where(t => t.ContextNip == contextNip);

    /// <summary>Remembers an issued challenge and when it was issued.</summary>
    public void AddChallenge(string challenge, DateTimeOffset issued) => _challenges[challenge] = issued;

    /// <summary>Takes a challenge (each can be used once); null when it was never issued or is used up.</summary>
    public DateTimeOffset? TakeChallenge(string challenge) => _challenges.TryRemove(challenge, out var issued) ? issued : null;

    /// <summary>Adds an authentication operation.</summary>
    public void AddAuthOperation(AuthOperationRecord operation) => _authOperations[operation.ReferenceNumber] = operation;

    /// <summary>The authentication operation with that reference number, if any.</summary>
    public AuthOperationRecord? FindAuthOperation(string referenceNumber) =>
        _authOperations.TryGetValue(referenceNumber, out var operation) ? operation : null;

    /// <summary>Records an accepted invoice under its duplicate key; false (and the original) when the key is taken already.</summary>
    public bool TryAccept(string duplicateKey, SessionRecord session, InvoiceRecord invoice, out (SessionRecord Session, InvoiceRecord Invoice) original)
    {
        original = _accepted.GetOrAdd(duplicateKey, (session, invoice));
        return ReferenceEquals(original.Invoice, invoice);
    }

    /// <summary>The duplicate key KSeF uses: seller NIP, invoice kind (RodzajFaktury) and invoice number (P_2).</summary>
    public static string DuplicateKey(string sellerNip, string kind, string invoiceNumber) => sellerNip + "\u001f" + kind + "\u001f" + invoiceNumber;

    /// <summary>Adds an invoice export.</summary>
    public void AddExport(ExportRecord export) => _exports[export.ReferenceNumber] = export;

    /// <summary>The export with that reference number, but only when <paramref name="contextNip"/> asked for it.</summary>
    public ExportRecord? FindExport(string contextNip, string referenceNumber) =>
        _exports.TryGetValue(referenceNumber, out var export) && export.ContextNip == contextNip ? export : null;

    /// <summary>Any export by reference number (for storage links, which carry no token).</summary>
    public ExportRecord? FindAnyExport(string referenceNumber) => _exports.TryGetValue(referenceNumber, out var export) ? export : null;

    /// <summary>The exports of a context.</summary>
    public IEnumerable<ExportRecord> ExportsOf(string contextNip) => _exports.Values.Where(e => e.ContextNip == contextNip);

    /// <summary>Forgets an export (past its retention).</summary>
    public void RemoveExport(string referenceNumber) => _exports.TryRemove(referenceNumber, out _);

    /// <summary>Replaces everything with the content of another store (reset to a fresh seed).</summary>
    public void ReplaceWith(SandboxStore other)
    {
        _sessions.Clear();
        _contexts.Clear();
        _ksefTokens.Clear();
        _challenges.Clear();
        _authOperations.Clear();
        _accepted.Clear();
        _grants.Clear();
        _seeded.Clear();
        _exports.Clear();
        _persons.Clear();
        _flags.Clear();
        _permissionOperations.Clear();
        foreach (var pair in other._sessions) _sessions[pair.Key] = pair.Value;
        foreach (var pair in other._contexts) _contexts[pair.Key] = pair.Value;
        foreach (var pair in other._ksefTokens) _ksefTokens[pair.Key] = pair.Value;
        foreach (var pair in other._accepted) _accepted[pair.Key] = pair.Value;
        foreach (var pair in other._grants) _grants[pair.Key] = pair.Value;
        foreach (var pair in other._seeded) _seeded[pair.Key] = pair.Value;
        _contextList = other._contextList;
        Limits = other.Limits;
    }
}
