using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.Security;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// The tags "Wysyłka interaktywna" and "Wysyłka wsadowa": open an online session, send invoices, close it; open a
/// batch session, upload its encrypted parts to the links it returns (no bearer token), close it.
/// </summary>
internal static class SendingApi
{
    private const string PartPurpose = "storage-part";

    /// <summary>The form codes KSeF accepts in online sessions (system code, schema version, value).</summary>
    private static readonly (string SystemCode, string SchemaVersion, string Value)[] OnlineForms =
        [("FA (2)", "1-0E", "FA"), ("FA (3)", "1-0E", "FA"), ("PEF (3)", "2-1", "PEF"), ("PEF_KOR (3)", "2-1", "PEF"), ("FA_RR (1)", "1-1E", "FA_RR")];

    /// <summary>Maps the routes under the /v2 group.</summary>
    public static IEndpointRouteBuilder MapSendingApi(this IEndpointRouteBuilder routes)
    {
        var online = routes.MapGroup("/sessions/online").WithTags("Wysyłka interaktywna");
        online.MapPost("", OpenOnline).WithName("OpenOnlineSession");
        online.MapPost("/{referenceNumber}/invoices", SendInvoice).WithName("SendInvoice");
        online.MapPost("/{referenceNumber}/close", CloseOnline).WithName("CloseOnlineSession");
        var batch = routes.MapGroup("/sessions/batch").WithTags("Wysyłka wsadowa");
        batch.MapPost("", OpenBatch).WithName("OpenBatchSession");
        batch.MapPost("/{referenceNumber}/close", CloseBatch).WithName("CloseBatchSession");
        return routes;
    }

    /// <summary>Maps PUT /storage/batch/{token}: where batch parts are uploaded, without a bearer token.</summary>
    public static IEndpointRouteBuilder MapPartStorage(this IEndpointRouteBuilder routes)
    {
        routes.MapPut("/storage/batch/{token}", UploadPart).WithName("UploadBatchPart").WithTags("Storage");
        return routes;
    }

    /// <summary>POST /sessions/online.</summary>
    public static async Task<Results<Created<OpenOnlineSessionResponse>, KsefBadRequest>> OpenOnline(HttpContext http, Caller caller, SandboxStore store, SandboxKeys keys, SessionProcessor processor, TimeProvider clock, SandboxOptions options)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.OpenOnlineSessionRequest);
        if (failure is not null) return failure;
        if (CheckForm(http, request!.FormCode, OnlineForms) is { } formError) return formError;
        if (CheckEncryption(http, keys, request.Encryption) is { } encryptionError) return encryptionError;
        var now = clock.GetUtcNow();
        var session = NewSession(http, caller, store, keys, request.FormCode, request.Encryption, batch: false, now);
        session.ValidUntil = now + options.OnlineSessionLifetime;
        processor.ScheduleOnline(session, session.SymmetricKey is not null, now);
        store.AddSession(session);
        return TypedResults.Created((string?)null, new OpenOnlineSessionResponse { ReferenceNumber = session.ReferenceNumber, ValidUntil = session.ValidUntil.Value });
    }

    /// <summary>POST /sessions/online/{referenceNumber}/invoices.</summary>
    public static async Task<Results<Accepted<SendInvoiceResponse>, KsefBadRequest>> SendInvoice(HttpContext http, Caller caller, SandboxStore store, SessionProcessor processor, TimeProvider clock, SandboxOptions options, string referenceNumber)
    {
        if (SessionStatusApi.FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        if (session!.IsBatch) return KsefErrors.InvalidInput(http, $"{referenceNumber} is a batch session; invoices go into its package.");
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.SendInvoiceRequest);
        if (failure is not null) return failure;
        if (request!.EncryptedInvoiceContent is null || request.InvoiceHash is not { Length: 32 } || request.EncryptedInvoiceHash is not { Length: 32 }
            || request.InvoiceSize < 1 || request.EncryptedInvoiceSize < 1)
        {
            return KsefErrors.InvalidInput(http, "invoiceHash, invoiceSize, encryptedInvoiceHash, encryptedInvoiceSize and encryptedInvoiceContent are required (hashes: Base64 SHA-256).");
        }
        if (request.HashOfCorrectedInvoice is not null && request.OfflineMode != true)
        {
            return KsefErrors.TechnicalCorrectionUnavailable(http, "hashOfCorrectedInvoice is accepted for offline invoices only.");
        }
        if (session.Status != 100)
        {
            return KsefErrors.SessionClosedForSending(http, session.Status);
        }
        if (request.EncryptedInvoiceContent.Length != request.EncryptedInvoiceSize)
        {
            return KsefErrors.InvalidFileSize(http);
        }
        if (!SHA256.HashData(request.EncryptedInvoiceContent).AsSpan().SequenceEqual(request.EncryptedInvoiceHash))
        {
            return KsefErrors.InvalidFileHash(http);
        }

        var now = clock.GetUtcNow();
        // Decrypt and read now (the outcome shows later, on the timeline): the sender learns only a reference number.
        var verdict = InvoiceChecks.Intake(request.EncryptedInvoiceContent, request.InvoiceSize, request.InvoiceHash, session, store.AttachmentsAllowed(session.ContextNip), now);

        var invoice = session.AddInvoice(ordinal => new InvoiceRecord(ordinal, KsefIdentifiers.NewReferenceNumber(now, "EE", Random.Shared), verdict.InvoiceNumber, request.InvoiceHash, now)
        {
            Offline = request.OfflineMode == true || verdict.IsLate(now),
            SellerNip = verdict.SellerNip,
        }, store.Limits.SessionsOf(session.ContextNip).Online.MaxInvoices);
        if (invoice is null)
        {
            return KsefErrors.InvoiceLimitExceeded(http, referenceNumber, store.Limits.SessionsOf(session.ContextNip).Online.MaxInvoices);
        }
        session.Updated = now;
        processor.ScheduleInvoice(session, invoice, verdict, now);
        return TypedResults.Accepted((string?)null, new SendInvoiceResponse { ReferenceNumber = invoice.ReferenceNumber });
    }

    /// <summary>POST /sessions/online/{referenceNumber}/close.</summary>
    public static Results<NoContent, KsefBadRequest> CloseOnline(HttpContext http, Caller caller, SandboxStore store, SessionProcessor processor, TimeProvider clock, string referenceNumber)
    {
        if (SessionStatusApi.FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        if (session!.IsBatch) return KsefErrors.InvalidInput(http, $"{referenceNumber} is a batch session; close it at /sessions/batch/{{referenceNumber}}/close.");
        lock (session)
        {
            if (session.Status != 100)
            {
                return KsefErrors.SessionClosedForClosing(http, session.Status);
            }
            processor.CloseOnline(session, clock.GetUtcNow());
        }
        return TypedResults.NoContent();
    }

    /// <summary>POST /sessions/batch.</summary>
    public static async Task<Results<Created<OpenBatchSessionResponse>, KsefBadRequest>> OpenBatch(HttpContext http, Caller caller, SandboxStore store, SandboxKeys keys, SignedTokens tokens, SessionProcessor processor, TimeProvider clock, SandboxOptions options)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.OpenBatchSessionRequest);
        if (failure is not null) return failure;
        if (CheckForm(http, request!.FormCode, [.. OnlineForms.Where(f => f.Value is "FA" or "FA_RR" && !f.SystemCode.StartsWith("PEF", StringComparison.Ordinal))]) is { } formError) return formError;
        if (CheckEncryption(http, keys, request.Encryption) is { } encryptionError) return encryptionError;
        var file = request.BatchFile;
        if (file is null || file.FileHash is not { Length: 32 } || file.FileSize is < 1 or > 5_000_000_000 || file.FileParts is null)
        {
            return KsefErrors.InvalidInput(http, "batchFile needs fileSize (1 to 5,000,000,000), fileHash (Base64 SHA-256) and fileParts.");
        }
        if (file.FileParts.Count > 50) return KsefErrors.TooManyParts(http, "At most 50 parts.");
        var ordinals = file.FileParts.Select(p => p?.OrdinalNumber ?? 0).Order().ToArray();
        if (ordinals.Length == 0 || !ordinals.SequenceEqual(Enumerable.Range(1, ordinals.Length))
            || file.FileParts.Any(p => p.FileSize < 1 || p.FileHash is not { Length: 32 }))
        {
            return KsefErrors.InvalidInput(http, "fileParts must be numbered 1..n, each with fileSize ≥ 1 and a Base64 SHA-256 fileHash.");
        }

        var now = clock.GetUtcNow();
        var session = NewSession(http, caller, store, keys, request.FormCode, request.Encryption, batch: true, now);
        session.ValidUntil = now + options.OnlineSessionLifetime;
        session.Package = new BatchPackage(file.FileSize, file.FileHash, file.CompressionType == CompressionType.TarGz,
            file.FileParts.Select(p => (p.OrdinalNumber, p.FileSize, p.FileHash)).ToList(), request.OfflineMode == true);
        processor.ScheduleBatchTimeout(session, now);
        store.AddSession(session);

        var expires = now + options.PartUploadWindowPerPart * file.FileParts.Count;
        var uploads = file.FileParts.OrderBy(p => p.OrdinalNumber).Select(part => new PartUploadRequest
        {
            OrdinalNumber = part.OrdinalNumber,
            Method = "PUT",
            Url = new Uri($"{options.PublicOrigin(http.Request)}/storage/batch/{tokens.Protect(PartPurpose,
                string.Join("|", session.ReferenceNumber, part.OrdinalNumber.ToString(CultureInfo.InvariantCulture), expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)))}"),
            Headers = new Dictionary<string, string?> { ["x-ms-blob-type"] = "BlockBlob" },
        }).ToList();
        return TypedResults.Created((string?)null, new OpenBatchSessionResponse { ReferenceNumber = session.ReferenceNumber, PartUploadRequests = uploads });
    }

    /// <summary>PUT /storage/batch/{token}: 201, or 403 with a blob-store XML body for a tampered or expired link.</summary>
    public static async Task<Results<Created, ContentHttpResult>> UploadPart(HttpContext http, SandboxStore store, SignedTokens tokens, TimeProvider clock, string token)
    {
        var parts = tokens.Unprotect(PartPurpose, token)?.Split('|');
        if (parts is not { Length: 3 } || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return StorageError(StatusCodes.Status403Forbidden, "AuthenticationFailed", "Signature did not match.");
        }
        if (DateTimeOffset.FromUnixTimeMilliseconds(expires) <= clock.GetUtcNow())
        {
            return StorageError(StatusCodes.Status403Forbidden, "AuthenticationFailed", "Signed expiry time has passed.");
        }
        if (!string.Equals(http.Request.Headers["x-ms-blob-type"], "BlockBlob", StringComparison.Ordinal))
        {
            return StorageError(StatusCodes.Status400BadRequest, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.");
        }
        var session = store.FindAnySession(parts[0]);
        if (session?.Package is not { } package || session.Status != 100)
        {
            return StorageError(StatusCodes.Status403Forbidden, "AuthorizationFailure", "The session no longer accepts uploads.");
        }
        var declared = package.Parts.First(p => p.Ordinal == ordinal);
        using var buffer = new MemoryStream();
        // Read at most a little more than declared: a larger body is refused without buffering all of it.
        var limit = declared.Size + 1;
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit) return StorageError(StatusCodes.Status400BadRequest, "RequestBodyTooLarge", $"Part {ordinal} is larger than its declared {declared.Size} bytes.");
        }
        package.Uploaded[ordinal] = buffer.ToArray();
        http.Response.Headers["Content-MD5"] = Convert.ToBase64String(MD5.HashData(package.Uploaded[ordinal]));
        return TypedResults.Created();
    }

    /// <summary>POST /sessions/batch/{referenceNumber}/close.</summary>
    public static Results<NoContent, KsefBadRequest> CloseBatch(HttpContext http, Caller caller, SandboxStore store, SessionProcessor processor, TimeProvider clock, SandboxOptions options, string referenceNumber)
    {
        if (SessionStatusApi.FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        if (!session!.IsBatch) return KsefErrors.InvalidInput(http, $"{referenceNumber} is an online session; close it at /sessions/online/{{referenceNumber}}/close.");
        var now = clock.GetUtcNow();
        lock (session)
        {
            if (session.Status != 100)
            {
                return KsefErrors.SessionClosedForClosing(http, session.Status);
            }
            var package = session.Package!;
            if (now > session.Created + options.PartUploadWindowPerPart * package.Parts.Count)
            {
                SessionProcessor.ApplyNow(session, 440, SessionProcessor.SessionDetail(440, batch: true, 0), now);
                return KsefErrors.UploadTimeExceeded(http);
            }
            foreach (var part in package.Parts)
            {
                if (!package.Uploaded.TryGetValue(part.Ordinal, out var bytes))
                {
                    return KsefErrors.PartMissing(http, part.Ordinal);
                }
                if (bytes.Length != part.Size)
                {
                    return KsefErrors.InvalidPartSize(http, part.Ordinal);
                }
            }
            processor.CloseBatch(session, now);
        }
        return TypedResults.NoContent();
    }

    private static SessionRecord NewSession(HttpContext http, Caller caller, SandboxStore store, SandboxKeys keys, FormCode form, EncryptionInfo encryption, bool batch, DateTimeOffset now)
    {
        var claims = caller.Claims;
        var operation = claims.OperationReference is { } reference ? store.FindAuthOperation(reference) : null;
        var key = keys.Decrypt(encryption.EncryptedSymmetricKey);
        var session = new SessionRecord(KsefIdentifiers.NewReferenceNumber(now, batch ? "SB" : "SO", Random.Shared), claims.ContextNip!, batch, now)
        {
            FormSystemCode = form.SystemCode,
            FormSchemaVersion = form.SchemaVersion,
            SymmetricKey = key is { Length: 32 } ? key : null,
            InitializationVector = encryption.InitializationVector,
            KsefTokenReference = operation?.KsefTokenReference,
            AuthenticationDigest = operation?.AuthenticationDigest,
            UpoVersion = UpoVersionRequested(http) ?? "v4-3",
            OpenedBy = caller.Subject,
        };
        return session;
    }

    /// <summary>"v4-2" when the request sends X-KSeF-Feature: upo-v4-2 (the schema before 2025-12-22), "v4-3" for upo-v4-3, else null.</summary>
    public static string? UpoVersionRequested(HttpContext http)
    {
        foreach (var value in http.Request.Headers["X-KSeF-Feature"])
        {
            foreach (var feature in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(feature, "upo-v4-2", StringComparison.OrdinalIgnoreCase)) return "v4-2";
                if (string.Equals(feature, "upo-v4-3", StringComparison.OrdinalIgnoreCase)) return "v4-3";
            }
        }
        return null;
    }

    private static KsefBadRequest? CheckForm(HttpContext http, FormCode? form, (string SystemCode, string SchemaVersion, string Value)[] allowed)
    {
        if (form is null || !allowed.Any(f => f.SystemCode == form.SystemCode && f.SchemaVersion == form.SchemaVersion && f.Value == form.Value))
        {
            return KsefErrors.InvalidInput(http, "formCode must be one of: " + string.Join("; ", allowed.Select(f => $"{f.SystemCode} / {f.SchemaVersion} / {f.Value}")) + ".");
        }
        return null;
    }

    internal static KsefBadRequest? CheckEncryption(HttpContext http, SandboxKeys keys, EncryptionInfo? encryption)
    {
        if (encryption?.EncryptedSymmetricKey is null || encryption.InitializationVector is not { Length: 16 })
        {
            return KsefErrors.InvalidInput(http, "encryption needs encryptedSymmetricKey and a 16-byte initializationVector.");
        }
        if (encryption.PublicKeyId is { } keyId && !keys.Knows(keyId))
        {
            return KsefErrors.UnknownKey(http, keyId);
        }
        return null;
    }

    /// <summary>A blob-store style XML error (what Azure storage answers on the pre-signed links).</summary>
    public static ContentHttpResult StorageError(int status, string code, string message) => TypedResults.Content(
        $"""<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error>""",
        "application/xml", System.Text.Encoding.UTF8, status);
}
