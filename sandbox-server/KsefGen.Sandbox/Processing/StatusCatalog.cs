using System.Globalization;
using KsefGen.Sandbox.Contracts;

namespace KsefGen.Sandbox.Processing;

/// <summary>Which status table a code belongs to.</summary>
internal enum StatusTable
{
    /// <summary>SessionStatusResponse.status (batch and online sub-tables).</summary>
    Session,

    /// <summary>Invoice statuses.</summary>
    Invoice,

    /// <summary>Authentication operation statuses.</summary>
    Authentication,

    /// <summary>Invoice export statuses (InvoiceExportStatusResponse.status).</summary>
    Export,
}

/// <summary>
/// The one place that turns a status code into the text KSeF sends. The live server answers in Polish (the official
/// SDK's tests compare descriptions such as "Nieprawidłowy zakres uprawnień"), so the descriptions and details of the
/// session, invoice and authentication codes are the server's wording; other tables (exports) and codes fall back to the spec's status
/// table (through the generated status-code types). Placeholders such as "({statusCode})" are filled in, never sent.
/// </summary>
internal static class StatusCatalog
{
    private const string Cancelled = "Operacja została anulowana przez system";
    private const string CancelledDetail = "Przetwarzanie zostało przerwane z przyczyn wewnętrznych systemu. Spróbuj ponownie";
    private const string BadToken = "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu";
    private const string BadCertificate = "Uwierzytelnianie zakończone niepowodzeniem z powodu błędu certyfikatu";

    // (table, scope: "batch"/"online"/null, code) → description and documented details, as the live server words them.
    private static readonly Dictionary<(StatusTable, string?, int), (string Text, string[] Details)> Polish = new()
    {
        [(StatusTable.Invoice, null, 100)] = ("Faktura przyjęta do dalszego przetwarzania", []),
        [(StatusTable.Invoice, null, 150)] = ("Trwa przetwarzanie", []),
        [(StatusTable.Invoice, null, 200)] = ("Sukces", []),
        [(StatusTable.Invoice, null, 405)] = ("Przetwarzanie anulowane z powodu błędu sesji", []),
        [(StatusTable.Invoice, null, 410)] = ("Nieprawidłowy zakres uprawnień", []),
        [(StatusTable.Invoice, null, 415)] = ("Brak możliwości wysyłania faktury z załącznikiem", []),
        [(StatusTable.Invoice, null, 430)] = ("Błąd weryfikacji pliku faktury", []),
        [(StatusTable.Invoice, null, 435)] = ("Błąd odszyfrowania pliku", []),
        [(StatusTable.Invoice, null, 440)] = ("Duplikat faktury", []),
        [(StatusTable.Invoice, null, 450)] = ("Błąd weryfikacji semantyki dokumentu faktury", []),
        [(StatusTable.Invoice, null, 500)] = ("Nieznany błąd ({statusCode})", []),
        [(StatusTable.Invoice, null, 550)] = (Cancelled, [CancelledDetail]),
        [(StatusTable.Session, "batch", 100)] = ("Sesja wsadowa rozpoczęta", []),
        [(StatusTable.Session, "batch", 150)] = ("Trwa przetwarzanie", []),
        [(StatusTable.Session, "batch", 200)] = ("Sesja wsadowa przetworzona pomyślnie", []),
        [(StatusTable.Session, "batch", 405)] = ("Błąd weryfikacji poprawności dostarczonych elementów paczki", []),
        [(StatusTable.Session, "batch", 415)] = ("Błąd odszyfrowania dostarczonego klucza", []),
        [(StatusTable.Session, "batch", 420)] = ("Przekroczony limit faktur w sesji", []),
        [(StatusTable.Session, "batch", 430)] = ("Błąd dekompresji pierwotnego archiwum", []),
        [(StatusTable.Session, "batch", 435)] = ("Błąd odszyfrowania zaszyfrowanych części archiwum", []),
        [(StatusTable.Session, "batch", 440)] = ("Sesja anulowana", ["Przekroczono czas wysyłki", "Nie przesłano faktur"]),
        [(StatusTable.Session, "batch", 445)] = ("Błąd weryfikacji, brak poprawnych faktur", []),
        [(StatusTable.Session, "batch", 500)] = ("Nieznany błąd ({statusCode})", []),
        [(StatusTable.Session, "online", 100)] = ("Sesja interaktywna otwarta", []),
        [(StatusTable.Session, "online", 170)] = ("Sesja interaktywna zamknięta", []),
        [(StatusTable.Session, "online", 200)] = ("Sesja interaktywna przetworzona pomyślnie", []),
        [(StatusTable.Session, "online", 415)] = ("Błąd odszyfrowania dostarczonego klucza", []),
        [(StatusTable.Session, "online", 440)] = ("Sesja anulowana", ["Nie przesłano faktur"]),
        [(StatusTable.Session, "online", 445)] = ("Błąd weryfikacji, brak poprawnych faktur", []),
        [(StatusTable.Authentication, null, 100)] = ("Uwierzytelnianie w toku", []),
        [(StatusTable.Authentication, null, 200)] = ("Uwierzytelnianie zakończone sukcesem", []),
        [(StatusTable.Authentication, null, 415)] = ("Uwierzytelnianie zakończone niepowodzeniem", ["Brak przypisanych uprawnień"]),
        [(StatusTable.Authentication, null, 425)] = ("Uwierzytelnienie unieważnione", ["Uwierzytelnienie i powiązane refresh tokeny zostały unieważnione przez użytkownika"]),
        [(StatusTable.Authentication, null, 450)] = (BadToken, ["Nieprawidłowe wyzwanie autoryzacyjne", "Nieprawidłowy token", "Nieprawidłowy czas tokena", "Token unieważniony", "Token nieaktywny"]),
        [(StatusTable.Authentication, null, 460)] = (BadCertificate, ["Nieważny certyfikat", "Błąd weryfikacji łańcucha certyfikatów", "Niezaufany łańcuch certyfikatów", "Certyfikat odwołany", "Certyfikat zawieszony", "Niepoprawny certyfikat"]),
        [(StatusTable.Authentication, null, 470)] = ("Uwierzytelnianie zakończone niepowodzeniem", ["Próba wykorzystania metod autoryzacyjnych osoby zmarłej"]),
        [(StatusTable.Authentication, null, 480)] = ("Uwierzytelnienie zablokowane", ["Podejrzenie incydentu bezpieczeństwa. Skontaktuj się z Ministerstwem Finansów przez formularz zgłoszeniowy."]),
        [(StatusTable.Authentication, null, 500)] = ("Nieznany błąd", []),
        [(StatusTable.Authentication, null, 550)] = (Cancelled, [CancelledDetail]),
    };

    /// <summary>The description KSeF sends for a code, or a generic one for an undocumented code.</summary>
    public static string Describe(StatusTable table, int code, bool batch = false) =>
        Fill(Entry(table, code, batch)?.Text ?? "Status " + code.ToString(CultureInfo.InvariantCulture), code);

    /// <summary>The n-th documented detail of a code (null when the table documents fewer).</summary>
    public static string? Detail(StatusTable table, int code, bool batch = false, int index = 0) =>
        Entry(table, code, batch) is { } entry && entry.Details.Count > index ? Fill(entry.Details[index], code) : null;

    private static (string Text, IReadOnlyList<string> Details)? Entry(StatusTable table, int code, bool batch)
    {
        var scope = table == StatusTable.Session ? (batch ? "batch" : "online") : null;
        if (Polish.TryGetValue((table, scope, code), out var known)) return known;
        var descriptions = table switch
        {
            StatusTable.Session => new SessionStatusCode(code).Descriptions,
            StatusTable.Invoice => new InvoiceStatusCode(code).Descriptions,
            StatusTable.Export => new InvoiceExportStatusCode(code).Descriptions,
            _ => new AuthenticationStatusCode(code).Descriptions,
        };
        var fitting = descriptions.FirstOrDefault(d => scope is not null && d.Scope is { } s && s.Contains(batch ? "atch" : "nline", StringComparison.OrdinalIgnoreCase))
            ?? descriptions.FirstOrDefault();
        return fitting is null ? null : (fitting.Text, fitting.Details);
    }

    private static string Fill(string text, int code) =>
        text.Replace("{statusCode}", code.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
