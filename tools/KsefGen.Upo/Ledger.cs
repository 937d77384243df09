using System.Globalization;
using Microsoft.Data.Sqlite;

namespace KsefGen.Upo;

/// <summary>One invoice as the ledger keeps it (keyed by session and invoice reference).</summary>
internal sealed record LedgerInvoice
{
    public required string SessionReference { get; init; }
    public required string InvoiceReference { get; init; }
    public required string SessionType { get; init; }
    public int? OrdinalNumber { get; init; }
    public string? InvoiceNumber { get; init; }
    public string? KsefNumber { get; init; }
    public required int StatusCode { get; init; }
    public string? StatusDescription { get; init; }
    public string? StatusDetails { get; init; }
    public required string Action { get; init; }
    public required string Advice { get; init; }
    public string? OriginalKsefNumber { get; init; }
    public string? OriginalSessionReference { get; init; }
    public DateTimeOffset? InvoicingDate { get; init; }
    public DateTimeOffset? AcquisitionDate { get; init; }
    public string? UpoFile { get; init; }
    public string? UpoSha256 { get; init; }
    public string? UpoChecks { get; init; }
    public string? UpoError { get; init; }
}

/// <summary>One session as the ledger keeps it.</summary>
internal sealed record LedgerSession
{
    public required string SessionReference { get; init; }
    public required string SessionType { get; init; }
    public required int StatusCode { get; init; }
    public string? StatusDescription { get; init; }
    public DateTimeOffset? DateCreated { get; init; }
    public int? InvoiceCount { get; init; }
    public bool Complete { get; init; }
}

/// <summary>One page of a session's collective UPO.</summary>
internal sealed record LedgerSessionUpo(string SessionReference, string UpoReference, string? UpoFile, string? UpoSha256, string? UpoChecks, string? UpoError);

/// <summary>What one sync run did (kept in the runs table).</summary>
internal sealed record LedgerRun(long Id, string Started, string? Finished, int Sessions, int Invoices, int InvoiceUposFetched, int SessionUposFetched, int Failures);

/// <summary>
/// The local SQLite ledger: sessions, invoices (status, advice, KSeF number, UPO file and hash), session UPO pages and
/// runs. Every write is an idempotent upsert keyed by session and invoice (or UPO page) reference, in a transaction.
/// </summary>
internal sealed class Ledger : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();

    private Ledger(SqliteConnection db) => _db = db;

    public static Ledger Open(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        db.Open();
        var ledger = new Ledger(db);
        ledger.Execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS sessions (
                session_reference TEXT PRIMARY KEY,
                session_type TEXT NOT NULL,
                status_code INTEGER NOT NULL,
                status_description TEXT,
                date_created TEXT,
                invoice_count INTEGER,
                complete INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS invoices (
                session_reference TEXT NOT NULL,
                invoice_reference TEXT NOT NULL,
                session_type TEXT NOT NULL,
                ordinal_number INTEGER,
                invoice_number TEXT,
                ksef_number TEXT,
                status_code INTEGER NOT NULL,
                status_description TEXT,
                status_details TEXT,
                action TEXT NOT NULL,
                advice TEXT NOT NULL,
                original_ksef_number TEXT,
                original_session_reference TEXT,
                invoicing_date TEXT,
                acquisition_date TEXT,
                upo_file TEXT,
                upo_sha256 TEXT,
                upo_checks TEXT,
                upo_error TEXT,
                PRIMARY KEY (session_reference, invoice_reference));
            CREATE TABLE IF NOT EXISTS session_upos (
                session_reference TEXT NOT NULL,
                upo_reference TEXT NOT NULL,
                upo_file TEXT,
                upo_sha256 TEXT,
                upo_checks TEXT,
                upo_error TEXT,
                PRIMARY KEY (session_reference, upo_reference));
            CREATE TABLE IF NOT EXISTS runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                started TEXT NOT NULL,
                finished TEXT,
                sessions INTEGER NOT NULL DEFAULT 0,
                invoices INTEGER NOT NULL DEFAULT 0,
                invoice_upos_fetched INTEGER NOT NULL DEFAULT 0,
                session_upos_fetched INTEGER NOT NULL DEFAULT 0,
                failures INTEGER NOT NULL DEFAULT 0);
            """);
        return ledger;
    }

    public void Dispose() => _db.Dispose();

    public LedgerSession? Session(string reference)
    {
        lock (_gate)
        {
            using var command = Command("SELECT session_reference, session_type, status_code, status_description, date_created, invoice_count, complete FROM sessions WHERE session_reference = $s", ("$s", reference));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadSession(reader) : null;
        }
    }

    public void UpsertSession(LedgerSession session)
    {
        lock (_gate)
        {
            using var transaction = _db.BeginTransaction();
            using (var command = Command("""
                INSERT INTO sessions (session_reference, session_type, status_code, status_description, date_created, invoice_count, complete)
                VALUES ($s, $t, $c, $d, $dc, $n, $k)
                ON CONFLICT (session_reference) DO UPDATE SET session_type = $t, status_code = $c, status_description = $d, date_created = $dc, invoice_count = $n, complete = $k
                """, ("$s", session.SessionReference), ("$t", session.SessionType), ("$c", session.StatusCode), ("$d", session.StatusDescription),
                ("$dc", Date(session.DateCreated)), ("$n", session.InvoiceCount), ("$k", session.Complete ? 1 : 0)))
            {
                command.Transaction = transaction;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    /// <summary>Upserts invoice statuses in one transaction, keeping each row's archived UPO unless it is given.</summary>
    public void UpsertInvoices(IEnumerable<LedgerInvoice> invoices)
    {
        lock (_gate)
        {
            using var transaction = _db.BeginTransaction();
            foreach (var i in invoices)
            {
                using var command = Command("""
                    INSERT INTO invoices (session_reference, invoice_reference, session_type, ordinal_number, invoice_number, ksef_number, status_code,
                        status_description, status_details, action, advice, original_ksef_number, original_session_reference, invoicing_date, acquisition_date,
                        upo_file, upo_sha256, upo_checks, upo_error)
                    VALUES ($s, $i, $t, $o, $n, $k, $c, $d, $dt, $a, $adv, $ok, $os, $id, $ad, $f, $h, $ch, $e)
                    ON CONFLICT (session_reference, invoice_reference) DO UPDATE SET
                        session_type = $t, ordinal_number = $o, invoice_number = $n, ksef_number = $k, status_code = $c, status_description = $d,
                        status_details = $dt, action = $a, advice = $adv, original_ksef_number = $ok, original_session_reference = $os,
                        invoicing_date = $id, acquisition_date = $ad,
                        upo_file = COALESCE($f, upo_file), upo_sha256 = COALESCE($h, upo_sha256), upo_checks = COALESCE($ch, upo_checks),
                        upo_error = CASE WHEN $f IS NOT NULL THEN NULL ELSE COALESCE($e, upo_error) END
                    """,
                    ("$s", i.SessionReference), ("$i", i.InvoiceReference), ("$t", i.SessionType), ("$o", i.OrdinalNumber), ("$n", i.InvoiceNumber),
                    ("$k", i.KsefNumber), ("$c", i.StatusCode), ("$d", i.StatusDescription), ("$dt", i.StatusDetails), ("$a", i.Action), ("$adv", i.Advice),
                    ("$ok", i.OriginalKsefNumber), ("$os", i.OriginalSessionReference), ("$id", Date(i.InvoicingDate)), ("$ad", Date(i.AcquisitionDate)),
                    ("$f", i.UpoFile), ("$h", i.UpoSha256), ("$ch", i.UpoChecks), ("$e", i.UpoError));
                command.Transaction = transaction;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    /// <summary>Records a UPO failure for an invoice (the archived UPO, if any, stays).</summary>
    public void SetInvoiceUpoError(string session, string invoice, string error) =>
        NonQuery("UPDATE invoices SET upo_error = $e WHERE session_reference = $s AND invoice_reference = $i", ("$e", error), ("$s", session), ("$i", invoice));

    public IReadOnlyList<LedgerInvoice> Invoices(string? session = null)
    {
        lock (_gate)
        {
            using var command = Command($"""
                SELECT session_reference, invoice_reference, session_type, ordinal_number, invoice_number, ksef_number, status_code, status_description,
                    status_details, action, advice, original_ksef_number, original_session_reference, invoicing_date, acquisition_date, upo_file, upo_sha256,
                    upo_checks, upo_error
                FROM invoices {(session is null ? "" : "WHERE session_reference = $s")} ORDER BY session_reference, ordinal_number, invoice_reference
                """, ("$s", session));
            using var reader = command.ExecuteReader();
            var list = new List<LedgerInvoice>();
            while (reader.Read())
            {
                list.Add(new LedgerInvoice
                {
                    SessionReference = reader.GetString(0),
                    InvoiceReference = reader.GetString(1),
                    SessionType = reader.GetString(2),
                    OrdinalNumber = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    InvoiceNumber = Text(reader, 4),
                    KsefNumber = Text(reader, 5),
                    StatusCode = reader.GetInt32(6),
                    StatusDescription = Text(reader, 7),
                    StatusDetails = Text(reader, 8),
                    Action = reader.GetString(9),
                    Advice = reader.GetString(10),
                    OriginalKsefNumber = Text(reader, 11),
                    OriginalSessionReference = Text(reader, 12),
                    InvoicingDate = ParseDate(Text(reader, 13)),
                    AcquisitionDate = ParseDate(Text(reader, 14)),
                    UpoFile = Text(reader, 15),
                    UpoSha256 = Text(reader, 16),
                    UpoChecks = Text(reader, 17),
                    UpoError = Text(reader, 18),
                });
            }
            return list;
        }
    }

    public IReadOnlyList<LedgerSession> Sessions()
    {
        lock (_gate)
        {
            using var command = Command("SELECT session_reference, session_type, status_code, status_description, date_created, invoice_count, complete FROM sessions ORDER BY session_reference");
            using var reader = command.ExecuteReader();
            var list = new List<LedgerSession>();
            while (reader.Read()) list.Add(ReadSession(reader));
            return list;
        }
    }

    public void UpsertSessionUpo(LedgerSessionUpo upo) => NonQuery("""
        INSERT INTO session_upos (session_reference, upo_reference, upo_file, upo_sha256, upo_checks, upo_error) VALUES ($s, $u, $f, $h, $c, $e)
        ON CONFLICT (session_reference, upo_reference) DO UPDATE SET
            upo_file = COALESCE($f, upo_file), upo_sha256 = COALESCE($h, upo_sha256), upo_checks = COALESCE($c, upo_checks),
            upo_error = CASE WHEN $f IS NOT NULL THEN NULL ELSE $e END
        """, ("$s", upo.SessionReference), ("$u", upo.UpoReference), ("$f", upo.UpoFile), ("$h", upo.UpoSha256), ("$c", upo.UpoChecks), ("$e", upo.UpoError));

    public IReadOnlyList<LedgerSessionUpo> SessionUpos(string? session = null)
    {
        lock (_gate)
        {
            using var command = Command($"SELECT session_reference, upo_reference, upo_file, upo_sha256, upo_checks, upo_error FROM session_upos {(session is null ? "" : "WHERE session_reference = $s")} ORDER BY session_reference, upo_reference", ("$s", session));
            using var reader = command.ExecuteReader();
            var list = new List<LedgerSessionUpo>();
            while (reader.Read()) list.Add(new(reader.GetString(0), reader.GetString(1), Text(reader, 2), Text(reader, 3), Text(reader, 4), Text(reader, 5)));
            return list;
        }
    }

    public long StartRun(DateTimeOffset now)
    {
        lock (_gate)
        {
            using var command = Command("INSERT INTO runs (started) VALUES ($s); SELECT last_insert_rowid();", ("$s", Date(now)));
            return (long)command.ExecuteScalar()!;
        }
    }

    public void FinishRun(long id, DateTimeOffset now, SyncStats stats) => NonQuery(
        "UPDATE runs SET finished = $f, sessions = $s, invoices = $i, invoice_upos_fetched = $u, session_upos_fetched = $p, failures = $x WHERE id = $id",
        ("$f", Date(now)), ("$s", stats.Sessions), ("$i", stats.Invoices), ("$u", stats.InvoiceUposFetched), ("$p", stats.SessionUposFetched), ("$x", stats.Failures), ("$id", id));

    public IReadOnlyList<LedgerRun> Runs()
    {
        lock (_gate)
        {
            using var command = Command("SELECT id, started, finished, sessions, invoices, invoice_upos_fetched, session_upos_fetched, failures FROM runs ORDER BY id");
            using var reader = command.ExecuteReader();
            var list = new List<LedgerRun>();
            while (reader.Read()) list.Add(new(reader.GetInt64(0), reader.GetString(1), Text(reader, 2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7)));
            return list;
        }
    }

    private void NonQuery(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            using var transaction = _db.BeginTransaction();
            using var command = Command(sql, parameters);
            command.Transaction = transaction;
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private void Execute(string sql)
    {
        using var command = _db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            if (sql.Contains(name, StringComparison.Ordinal)) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private static LedgerSession ReadSession(SqliteDataReader reader) => new()
    {
        SessionReference = reader.GetString(0),
        SessionType = reader.GetString(1),
        StatusCode = reader.GetInt32(2),
        StatusDescription = Text(reader, 3),
        DateCreated = ParseDate(Text(reader, 4)),
        InvoiceCount = reader.IsDBNull(5) ? null : reader.GetInt32(5),
        Complete = reader.GetInt32(6) != 0,
    };

    private static string? Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    internal static string? Date(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseDate(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
