using System.Security.Cryptography;

namespace KsefGen.Runtime.Upo;

/// <summary>The <c>x-ms-meta-hash</c> check: Base64 SHA-256 of the downloaded UPO bytes.</summary>
public static class UpoHash
{
    /// <summary>The header name KSeF and its storage links send the hash in.</summary>
    public const string HeaderName = "x-ms-meta-hash";

    /// <summary>Base64 SHA-256 of <paramref name="content"/>.</summary>
    /// <param name="content">The bytes as downloaded.</param>
    public static string Compute(ReadOnlySpan<byte> content) => Convert.ToBase64String(SHA256.HashData(content));

    /// <summary>True when <paramref name="expectedHash"/> is the Base64 SHA-256 of <paramref name="content"/>.</summary>
    /// <param name="content">The bytes as downloaded.</param>
    /// <param name="expectedHash">The header value.</param>
    public static bool Matches(ReadOnlySpan<byte> content, string? expectedHash) => Check(content, expectedHash) is null;

    /// <summary>Throws <see cref="UpoVerificationException"/> (<see cref="UpoVerificationFailure.HashMismatch"/>) unless the hash matches.</summary>
    /// <param name="content">The bytes as downloaded.</param>
    /// <param name="expectedHash">The header value.</param>
    public static void Verify(ReadOnlySpan<byte> content, string? expectedHash)
    {
        if (Check(content, expectedHash) is { } problem) throw new UpoVerificationException(UpoVerificationFailure.HashMismatch, problem);
    }

    private static string? Check(ReadOnlySpan<byte> content, string? expectedHash)
    {
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        var header = expectedHash?.Trim();
        if (string.IsNullOrEmpty(header) || !Convert.TryFromBase64String(header, expected, out var written) || written != SHA256.HashSizeInBytes)
        {
            return $"The {HeaderName} value {(header is null ? "is missing" : $"'{header}' is not a Base64 SHA-256 hash")}; the UPO cannot be checked against it.";
        }
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected) ? null
            : $"The UPO's SHA-256 is {Convert.ToBase64String(actual)}, but {HeaderName} says {header}: the download is incomplete or altered.";
    }
}
