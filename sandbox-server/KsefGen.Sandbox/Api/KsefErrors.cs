using System.Globalization;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// One named factory per KSeF error code the sandbox answers with (HTTP 400, legacy ExceptionResponse or problem
/// details as the request asks). Descriptions and details are worded as the live server sends them (Polish); where a
/// live-server wording was seen to differ from the spec's table, the live server wins (21301 on refresh: the official
/// SDK's tests expect "Status uwierzytelnienia (425) nie pozwala na odświeżenie tokenu dostępowego.").
/// </summary>
internal static class KsefErrors
{
    /// <summary>9102: the XAdES document carries no signature.</summary>
    public static KsefBadRequest NoSignature(HttpContext http) => Fail(http, 9102, "Brak podpisu.");

    /// <summary>9103: more than one signature.</summary>
    public static KsefBadRequest TooManySignatures(HttpContext http) => Fail(http, 9103, "Przekroczona liczba dozwolonych podpisów.");

    /// <summary>9105: the signature does not verify.</summary>
    public static KsefBadRequest InvalidSignature(HttpContext http, string? detail = null) => Fail(http, 9105, "Nieprawidłowy podpis.", detail);

    /// <summary>21001: the body cannot be read.</summary>
    public static KsefBadRequest UnreadableContent(HttpContext http, string detail) => Fail(http, 21001, "Nieczytelna treść.", detail);

    /// <summary>21111: the challenge is unknown, used or too old.</summary>
    public static KsefBadRequest InvalidChallenge(HttpContext http) => Fail(http, 21111, "Nieprawidłowe wyzwanie autoryzacyjne.");

    /// <summary>21117: the identifier does not fit the context type.</summary>
    public static KsefBadRequest InvalidSubjectIdentifier(HttpContext http) => Fail(http, 21117, "Nieprawidłowy identyfikator podmiotu dla wskazanego typu kontekstu.");

    /// <summary>21155: the session holds the most invoices it may.</summary>
    public static KsefBadRequest InvoiceLimitExceeded(HttpContext http, string referenceNumber, int limit) =>
        Fail(http, 21155, "Przekroczono dozwoloną liczbę faktur w sesji.", $"Sesja o numerze referencyjnym {referenceNumber} osiągnęła dozwolony limit liczby faktur {limit.ToString(CultureInfo.InvariantCulture)}.");

    /// <summary>21157: an uploaded part's size differs from the declared one.</summary>
    public static KsefBadRequest InvalidPartSize(HttpContext http, int ordinal) =>
        Fail(http, 21157, "Nieprawidłowy rozmiar części pakietu.", $"Zadeklarowany rozmiar części '{ordinal.ToString(CultureInfo.InvariantCulture)}' nie zgadza się z rzeczywistym.");

    /// <summary>21161: too many package parts.</summary>
    public static KsefBadRequest TooManyParts(HttpContext http, string detail) => Fail(http, 21161, "Przekroczono dozwoloną liczbę części pakietu.", detail);

    /// <summary>21164: no invoice with that KSeF number (for the caller).</summary>
    public static KsefBadRequest InvoiceNotFound(HttpContext http, string ksefNumber) =>
        Fail(http, 21164, "Faktura o podanym identyfikatorze nie istnieje.", $"Faktura o numerze KSeF {ksefNumber} nie została znaleziona.");

    /// <summary>21175: no export (query result) with that reference number (for the caller's context).</summary>
    public static KsefBadRequest ExportNotFound(HttpContext http) => Fail(http, 21175, "Wynik zapytania o podanym identyfikatorze nie istnieje.");

    /// <summary>21182: the subject runs the maximum number of exports in the context already.</summary>
    public static KsefBadRequest TooManyRunningExports(HttpContext http, int limit) =>
        Fail(http, 21182, "Osiągnięto limit trwających eksportów.",
            $"Dla uwierzytelnionego podmiotu w bieżącym kontekście osiągnięto maksymalny limit {limit} równoczesnych eksportów faktur. Spróbuj ponownie później.");

    /// <summary>21183: dateRange.from lies after the permanent-storage HWM while restrictToPermanentStorageHwmDate is set.</summary>
    public static KsefBadRequest RangeBeyondHighWaterMark(HttpContext http) =>
        Fail(http, 21183, "Zakres filtrowania wykracza poza dostępny zakres danych.",
            "Parametr dateRange.from jest późniejszy niż PermanentStorageHwmDate przy włączonym restrictToPermanentStorageHwmDate.");

    /// <summary>21166: a technical correction is not available.</summary>
    public static KsefBadRequest TechnicalCorrectionUnavailable(HttpContext http, string detail) => Fail(http, 21166, "Korekta techniczna niedostępna.", detail);

    /// <summary>21173: no such session (for this caller).</summary>
    public static KsefBadRequest SessionNotFound(HttpContext http, string referenceNumber) =>
        Fail(http, 21173, "Brak sesji o wskazanym numerze referencyjnym.", $"Sesja o numerze referencyjnym {referenceNumber} nie została znaleziona.");

    /// <summary>21178: no UPO for the criteria.</summary>
    public static KsefBadRequest UpoNotFound(HttpContext http, string detail) => Fail(http, 21178, "Nie znaleziono UPO dla podanych kryteriów.", detail);

    /// <summary>21180: the session's status does not allow sending invoices.</summary>
    public static KsefBadRequest SessionClosedForSending(HttpContext http, int status) =>
        Fail(http, 21180, "Status sesji nie pozwala na wykonanie operacji.", $"Status sesji {status.ToString(CultureInfo.InvariantCulture)} uniemożliwia wysyłkę faktur.");

    /// <summary>21180: the session's status does not allow closing it.</summary>
    public static KsefBadRequest SessionClosedForClosing(HttpContext http, int status) =>
        Fail(http, 21180, "Status sesji nie pozwala na wykonanie operacji.", $"Status sesji {status.ToString(CultureInfo.InvariantCulture)} uniemożliwia jej zamknięcie.");

    /// <summary>21205: a declared part was not uploaded.</summary>
    public static KsefBadRequest PartMissing(HttpContext http, int ordinal) =>
        Fail(http, 21205, "Pakiet nie może być pusty.", $"Nie przesłano zadeklarowanej '{ordinal.ToString(CultureInfo.InvariantCulture)}' części pliku.");

    /// <summary>21208: the upload window passed; the session is cancelled.</summary>
    public static KsefBadRequest UploadTimeExceeded(HttpContext http) =>
        Fail(http, 21208, "Czas oczekiwania na requesty upload lub finish został przekroczony.", "Sesja anulowana, przekroczony czas wysyłki.");

    /// <summary>21301: the tokens of the operation were redeemed already.</summary>
    public static KsefBadRequest TokensRedeemedAlready(HttpContext http, string referenceNumber) =>
        Fail(http, 21301, "Brak autoryzacji.", $"Tokeny dla operacji uwierzytelniania {referenceNumber} zostały już pobrane.");

    /// <summary>21301: the operation's status does not allow redeeming tokens.</summary>
    public static KsefBadRequest StatusForbidsRedeem(HttpContext http, int status) =>
        Fail(http, 21301, "Brak autoryzacji.", $"Status uwierzytelniania ({status.ToString(CultureInfo.InvariantCulture)}) nie pozwala na pobranie tokenów.");

    /// <summary>21301: the operation's status (e.g. 425 after revocation) does not allow refreshing (worded as the live server words it).</summary>
    public static KsefBadRequest StatusForbidsRefresh(HttpContext http, int status) =>
        Fail(http, 21301, "Brak autoryzacji.", $"Status uwierzytelnienia ({status.ToString(CultureInfo.InvariantCulture)}) nie pozwala na odświeżenie tokenu dostępowego.");

    /// <summary>21304: no such authentication operation.</summary>
    public static KsefBadRequest AuthenticationNotFound(HttpContext http, string referenceNumber) =>
        Fail(http, 21304, "Brak uwierzytelnienia.", $"Operacja uwierzytelniania o numerze referencyjnym {referenceNumber} nie została znaleziona.");

    /// <summary>21401: the document does not match its schema.</summary>
    public static KsefBadRequest SchemaViolation(HttpContext http, string detail) => Fail(http, 21401, "Dokument nie jest zgodny ze schemą (xsd).", detail);

    /// <summary>21402: the declared size does not match the content.</summary>
    public static KsefBadRequest InvalidFileSize(HttpContext http) => Fail(http, 21402, "Nieprawidłowy rozmiar pliku.", "Długość treści nie zgadza się z rozmiarem pliku.");

    /// <summary>21403: the declared hash does not match the content.</summary>
    public static KsefBadRequest InvalidFileHash(HttpContext http) => Fail(http, 21403, "Nieprawidłowy skrót pliku.", "Skrót treści nie zgadza się ze skrótem pliku.");

    /// <summary>21405: the input failed validation.</summary>
    public static KsefBadRequest InvalidInput(HttpContext http, string detail) => Fail(http, 21405, "Błąd walidacji danych wejściowych.", detail);

    /// <summary>21418: the continuation token is not one this server issued for this list.</summary>
    public static KsefBadRequest BadContinuationToken(HttpContext http) => Fail(http, 21418, "Przekazany token kontynuacji ma nieprawidłowy format.");

    /// <summary>21470: the public key identifier is unknown.</summary>
    public static KsefBadRequest UnknownKey(HttpContext http, byte[] keyId) =>
        Fail(http, 21470, "Przesłany identyfikator klucza jest nieznany lub wskazuje na wycofany klucz.", $"Klucz o identyfikatorze {Convert.ToBase64String(keyId)} nie jest wspierany.");

    /// <summary>26001: a token may not get permissions its author does not have.</summary>
    public static KsefBadRequest PermissionsNotHeld(HttpContext http, IEnumerable<string> missing) =>
        Fail(http, 26001, "Nie można nadać tokenowi uprawnień których nie posiadasz.", "Brakujące uprawnienia: " + string.Join(", ", missing) + ".");

    /// <summary>30001: the subject or permission exists already.</summary>
    public static KsefBadRequest AlreadyExists(HttpContext http, string? detail = null) => Fail(http, 30001, "Podmiot lub uprawnienie już istnieje.", detail);

    private static KsefBadRequest Fail(HttpContext http, int code, string description, string? detail = null) =>
        detail is null ? KsefResults.BadRequest(http, code, description) : KsefResults.BadRequest(http, code, description, detail);
}
