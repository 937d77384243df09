using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace KsefGen.Sandbox.State;

/// <summary>
/// Opaque tokens protected by an HMAC: access tokens ("which context, until when") and continuation tokens
/// ("which list, from where"). A tampered token fails verification; nothing is stored server-side.
/// </summary>
internal sealed class SignedTokens
{
    private const int StackLimit = 512;
    /// <summary>Bytes in a MAC (HMAC-SHA256).</summary>
    public const int MacLength = 32;
    private readonly byte[] _key;

    // One HMAC per thread, reset after each use: HMACSHA256.HashData fetches the algorithm from OpenSSL on every call
    // under a process-wide lock, which made a page of 100 invoices (100 UPO links) queue on that lock.
    private readonly ThreadLocal<IncrementalHash> _hmac;

    /// <summary>Creates the token service with a secret (random when null).</summary>
    public SignedTokens(string? secret)
    {
        _key = string.IsNullOrEmpty(secret) ? RandomNumberGenerator.GetBytes(32) : SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key));
    }

    /// <summary>Signs a payload: base64url(payload) + "." + base64url(HMAC).</summary>
    public string Protect(string purpose, string payload) => Protect(purpose, payload.AsSpan(), prefix: "");

    /// <summary>
    /// <paramref name="prefix"/> followed by the token of <paramref name="payload"/>, as one string: for links, which
    /// are a fixed address plus a token, without building the token and the link separately.
    /// </summary>
    public string Protect(string purpose, ReadOnlySpan<char> payload, string prefix)
    {
        byte[]? rentedBytes = null;
        char[]? rentedChars = null;
        try
        {
            var maxBytes = Encoding.UTF8.GetMaxByteCount(payload.Length);
            var buffer = maxBytes <= StackLimit ? stackalloc byte[StackLimit] : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
            var data = buffer[..Encoding.UTF8.GetBytes(payload, buffer)];
            Span<byte> mac = stackalloc byte[MacLength];
            Mac(purpose, data, mac);

            var dataChars = Base64Url.GetEncodedLength(data.Length);
            var length = prefix.Length + dataChars + 1 + Base64Url.GetEncodedLength(MacLength);
            var chars = length <= StackLimit ? stackalloc char[StackLimit] : (rentedChars = ArrayPool<char>.Shared.Rent(length));
            prefix.CopyTo(chars);
            var token = chars[prefix.Length..];
            Base64Url.EncodeToChars(data, token);
            token[dataChars] = '.';
            Base64Url.EncodeToChars(mac, token[(dataChars + 1)..]);
            return new string(chars[..length]);
        }
        finally
        {
            if (rentedBytes is not null) ArrayPool<byte>.Shared.Return(rentedBytes);
            if (rentedChars is not null) ArrayPool<char>.Shared.Return(rentedChars);
        }
    }

    /// <summary>The payload of a token this service signed for the same purpose, or null.</summary>
    public string? Unprotect(string purpose, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096) return null;
        var needed = Base64Url.GetMaxDecodedLength(token.Length);
        byte[]? rented = null;
        try
        {
            var payload = needed <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(needed));
            var length = Unprotect(purpose, token, payload);
            return length < 0 ? null : Encoding.UTF8.GetString(payload[..length]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The UTF-8 payload of a token this service signed for the same purpose, written into <paramref name="payload"/>
    /// (at least <c>Base64Url.GetMaxDecodedLength(token.Length)</c> bytes): its length, or -1 when the token is not
    /// genuine. Reads a token without a string per part (every continuation token is read so).
    /// </summary>
    public int Unprotect(string purpose, ReadOnlySpan<char> token, Span<byte> payload)
    {
        if (token.IsEmpty || token.Length > 4096) return -1;
        ArgumentOutOfRangeException.ThrowIfLessThan(payload.Length, Base64Url.GetMaxDecodedLength(token.Length));
        var dot = token.IndexOf('.');
        if (dot <= 0) return -1;
        var dataChars = token[..dot];
        var macChars = token[(dot + 1)..];
        Span<byte> mac = stackalloc byte[MacLength];
        int dataLength;
        if (dataChars.ContainsAnyExcept(UrlAlphabet) || macChars.ContainsAnyExcept(UrlAlphabet)
            || Base64Url.DecodeFromChars(dataChars, payload, out _, out dataLength) != OperationStatus.Done
            || Base64Url.DecodeFromChars(macChars, mac, out _, out var macLength) != OperationStatus.Done || macLength != MacLength)
        {
            // Not plain base64url (padding, '+' or '/', whitespace, nonzero trailing bits): the lenient decoding tokens
            // have always had.
            var data = FromBase64Url(dataChars.ToString());
            var lenient = FromBase64Url(macChars.ToString());
            if (data is null || lenient is null || lenient.Length != MacLength || data.Length > payload.Length) return -1;
            data.CopyTo(payload);
            dataLength = data.Length;
            lenient.CopyTo(mac);
        }
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(purpose, payload[..dataLength], expected);
        return CryptographicOperations.FixedTimeEquals(mac, expected) ? dataLength : -1;
    }

    private static readonly SearchValues<char> UrlAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>A key for another use, derived from this service's secret with HKDF (SHA-256) and <paramref name="purpose"/> as its info.</summary>
    public byte[] DeriveKey(string purpose) => HKDF.Expand(HashAlgorithmName.SHA256, _key, 32, Encoding.UTF8.GetBytes(purpose));

    /// <summary>HMAC-SHA256 over UTF-8 purpose, a newline, then the data.</summary>
    public void Mac(string purpose, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        var hmac = _hmac.Value!;
        Span<byte> message = stackalloc byte[StackLimit];
        if (Encoding.UTF8.GetMaxByteCount(purpose.Length + 1) + data.Length <= StackLimit)
        {
            // One AppendData instead of two: each is a call into OpenSSL, and a page of invoices makes ~95 MACs.
            var written = Encoding.UTF8.GetBytes(purpose, message);
            message[written++] = (byte)'\n';
            data.CopyTo(message[written..]);
            hmac.AppendData(message[..(written + data.Length)]);
        }
        else
        {
            hmac.AppendData(Encoding.UTF8.GetBytes(purpose + "\n"));
            hmac.AppendData(data);
        }
        hmac.GetHashAndReset(mac);
    }

    private static byte[]? FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
