using System.Net;

namespace KsefGen.Runtime.Upo;

/// <summary>A pre-signed UPO download link and when it stops working, as a status response gives it.</summary>
/// <param name="Url">upoDownloadUrl / upo.pages[].downloadUrl.</param>
/// <param name="ExpiresAt">upoDownloadUrlExpirationDate / downloadUrlExpirationDate, when given.</param>
public sealed record UpoLink(Uri Url, DateTimeOffset? ExpiresAt);

/// <summary>A downloaded UPO whose bytes match its x-ms-meta-hash.</summary>
/// <param name="Content">The UPO XML, byte for byte.</param>
/// <param name="Hash">The x-ms-meta-hash the storage sent (Base64 SHA-256), when it sent one.</param>
/// <param name="Url">The link that worked.</param>
/// <param name="Attempts">How many downloads it took.</param>
/// <param name="LinkRefreshes">How many times a fresh link was asked for.</param>
public sealed record UpoDownloadResult(byte[] Content, string? Hash, Uri Url, int Attempts, int LinkRefreshes);

/// <summary>Settings of <see cref="UpoDownloader"/>.</summary>
public sealed class UpoDownloaderOptions
{
    /// <summary>A link is treated as expired this long before its expiration date (clock skew, slow networks). 30 s by default.</summary>
    public TimeSpan ExpirySkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many download attempts, fresh links included. 4 by default.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Whether a response without x-ms-meta-hash is accepted (true by default; KSeF always sends it).</summary>
    public bool AllowMissingHash { get; set; } = true;

    /// <summary>The clock that decides whether a link has expired.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>Why a UPO could not be downloaded, after every attempt.</summary>
public sealed class UpoDownloadException : Exception
{
    /// <summary>Creates the exception with the reason of every attempt.</summary>
    public UpoDownloadException(string message, IReadOnlyList<string> attempts) : base(message + " " + string.Join(" | ", attempts)) => Attempts = attempts;

    /// <summary>Creates the exception.</summary>
    public UpoDownloadException() : this("The UPO could not be downloaded.", []) { }

    /// <summary>Creates the exception.</summary>
    public UpoDownloadException(string message) : this(message, []) { }

    /// <summary>Creates the exception.</summary>
    public UpoDownloadException(string message, Exception inner) : base(message, inner) => Attempts = [];

    /// <summary>What happened on each attempt.</summary>
    public IReadOnlyList<string> Attempts { get; }
}

/// <summary>
/// Downloads a UPO through its pre-signed link the way KSeF wants it: plain GET with NO bearer token; a link past its
/// expiration date (minus a skew margin) is not used, and a link that answers 403/404/410, a server error, or a
/// non-XML body (an HTML error page) is replaced by a fresh one from the status call — a bounded number of times.
/// The bytes are checked against x-ms-meta-hash (a mismatch is <see cref="UpoVerificationFailure.HashMismatch"/>, not retried:
/// the storage holds those bytes). Never resend an invoice because its UPO is missing: this is how to get the UPO.
/// </summary>
/// <param name="storage">An HttpClient WITHOUT authentication handlers (the links are pre-signed; a token must not go to the storage).</param>
/// <param name="options">Settings; defaults when null.</param>
public sealed class UpoDownloader(HttpClient storage, UpoDownloaderOptions? options = null)
{
    private readonly UpoDownloaderOptions _options = options ?? new UpoDownloaderOptions();

    /// <summary>Downloads the UPO behind a link, asking <paramref name="freshLink"/> (a status call) for a new link whenever needed.</summary>
    /// <param name="link">The link from the last status response, or null to start with a fresh one.</param>
    /// <param name="freshLink">Re-queries the invoice or session status and returns its new link (null when the status has no UPO).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The UPO bytes, hash-checked.</returns>
    /// <exception cref="UpoDownloadException">No attempt gave a UPO.</exception>
    /// <exception cref="UpoVerificationException">The bytes do not match x-ms-meta-hash.</exception>
    public async Task<UpoDownloadResult> DownloadAsync(UpoLink? link, Func<CancellationToken, Task<UpoLink?>> freshLink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(freshLink);
        var attempts = new List<string>();
        var refreshes = 0;
        for (var attempt = 1; attempt <= Math.Max(1, _options.MaxAttempts); attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (link is null || IsExpired(link))
            {
                if (link is not null) attempts.Add($"#{attempt}: link expired at {link.ExpiresAt:O}; asked for a fresh one");
                link = await freshLink(cancellationToken).ConfigureAwait(false);
                refreshes++;
                if (link is null) throw new UpoDownloadException("The status carries no UPO link (the UPO is not ready yet, or there is none).", attempts);
                // A fresh link is always tried, even when it lives shorter than the skew margin or the clocks disagree.
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, link.Url);
            request.Headers.Authorization = null;
            HttpResponseMessage response;
            try
            {
                response = await storage.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                attempts.Add($"#{attempt}: {e.Message}");
                link = null;
                continue;
            }
            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var hash = response.Headers.TryGetValues("x-ms-meta-hash", out var values) ? values.FirstOrDefault() : null;
                if (!response.IsSuccessStatusCode)
                {
                    attempts.Add($"#{attempt}: {(int)response.StatusCode} {response.ReasonPhrase}{(response.StatusCode is HttpStatusCode.Forbidden ? " (expired or invalid link)" : "")}");
                    link = null;
                    continue;
                }
                if (!LooksLikeXml(response, body))
                {
                    attempts.Add($"#{attempt}: {(int)response.StatusCode} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not XML (an error page)");
                    link = null;
                    continue;
                }
                if (hash is null && !_options.AllowMissingHash)
                {
                    attempts.Add($"#{attempt}: no x-ms-meta-hash");
                    link = null;
                    continue;
                }
                if (hash is not null) UpoHash.Verify(body, hash);
                return new UpoDownloadResult(body, hash, link.Url, attempt, refreshes);
            }
        }
        throw new UpoDownloadException($"The UPO could not be downloaded in {_options.MaxAttempts} attempts.", attempts);
    }

    private bool IsExpired(UpoLink link) =>
        link.ExpiresAt is { } expires && expires - _options.ExpirySkew <= _options.TimeProvider.GetUtcNow();

    private static bool LooksLikeXml(HttpResponseMessage response, byte[] body)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        if (type is not null && type.Contains("html", StringComparison.OrdinalIgnoreCase)) return false;
        var text = body.AsSpan();
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) text = text[3..];
        text = text.TrimStart((ReadOnlySpan<byte>)[(byte)' ', (byte)'\t', (byte)'\r', (byte)'\n']);
        if (text.Length == 0 || text[0] != (byte)'<') return false;
        // "<!DOCTYPE html" or "<html": a page, not a document.
        var head = System.Text.Encoding.ASCII.GetString(text[..Math.Min(text.Length, 15)]).ToLowerInvariant();
        return !head.StartsWith("<!doctype html", StringComparison.Ordinal) && !head.StartsWith("<html", StringComparison.Ordinal);
    }
}
