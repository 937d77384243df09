using System.Security.Cryptography;
using System.Text;

namespace KsefGen.Sandbox.State;

/// <summary>
/// Opaque tokens protected by an HMAC: access tokens ("which context, until when") and continuation tokens
/// ("which list, from where"). A tampered token fails verification; nothing is stored server-side.
/// </summary>
public sealed class SignedTokens
{
    private readonly byte[] _key;

    /// <summary>Creates the token service with a secret (random when null).</summary>
    public SignedTokens(string? secret) =>
        _key = string.IsNullOrEmpty(secret) ? RandomNumberGenerator.GetBytes(32) : SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Signs a payload: base64url(payload) + "." + base64url(HMAC).</summary>
    public string Protect(string purpose, string payload)
    {
        var data = Encoding.UTF8.GetBytes(payload);
        return Base64Url(data) + "." + Base64Url(Mac(purpose, data));
    }

    /// <summary>The payload of a token this service signed for the same purpose, or null.</summary>
    public string? Unprotect(string purpose, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096) return null;
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        var data = FromBase64Url(token[..dot]);
        var mac = FromBase64Url(token[(dot + 1)..]);
        if (data is null || mac is null) return null;
        return CryptographicOperations.FixedTimeEquals(mac, Mac(purpose, data)) ? Encoding.UTF8.GetString(data) : null;
    }

    private byte[] Mac(string purpose, byte[] data)
    {
        var purposeBytes = Encoding.UTF8.GetBytes(purpose + "\n");
        byte[] message = [.. purposeBytes, .. data];
        return HMACSHA256.HashData(_key, message);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

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
