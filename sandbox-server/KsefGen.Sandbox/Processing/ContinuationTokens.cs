using System.Globalization;
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
        var payload = tokens.Unprotect(Purpose, token);
        if (payload is null || !payload.StartsWith(scope + "|", StringComparison.Ordinal)) return null;
        return int.TryParse(payload.AsSpan(scope.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
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
