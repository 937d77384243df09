using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Processing;

/// <summary>
/// What a continuation token holds: the list it belongs to (a scope built from the caller and the filters) and the
/// offset to go on from, HMAC-protected so a client can neither forge one nor reuse it for another list (21418).
/// Nothing is stored server-side.
/// </summary>
internal sealed class ContinuationTokens(SignedTokens tokens)
{
    private const string Purpose = "continuation";

    /// <summary>The offset a token continues from (0 without a token), or null when it is not one of this list's tokens.</summary>
    public int? OffsetOf(string scope, string? token)
    {
        if (string.IsNullOrEmpty(token)) return 0;
        if (token.Length > 4096) return null;
        // The payload "scope|offset" is read as UTF-8 on the stack: this runs for every page after the first.
        var needed = Base64Url.GetMaxDecodedLength(token.Length);
        var expected = Encoding.UTF8.GetMaxByteCount(scope.Length) + 1;
        byte[]? rented = null;
        try
        {
            var buffer = needed + expected <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(needed + expected));
            var length = tokens.Unprotect(Purpose, token, buffer[..needed]);
            if (length < 0) return null;
            var payload = buffer[..length];
            var prefix = buffer[needed..];
            var prefixLength = Encoding.UTF8.GetBytes(scope, prefix);
            prefix[prefixLength++] = (byte)'|';
            if (!payload.StartsWith(prefix[..prefixLength])) return null;
            return int.TryParse(payload[prefixLength..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The token for the page that starts at <paramref name="offset"/>.</summary>
    public string Next(string scope, int offset) => tokens.Protect(Purpose, scope + "|" + offset.ToString(CultureInfo.InvariantCulture));

    /// <summary>Reads pageSize (default 10, documented range 10–1000); false with nothing set when it is out of range.</summary>
    public static bool TryPageSize(string? text, out int size, int min = 10, int max = 1000, int fallback = 10)
    {
        size = fallback;
        if (text is null) return true;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out size) && size >= min && size <= max;
    }
}
