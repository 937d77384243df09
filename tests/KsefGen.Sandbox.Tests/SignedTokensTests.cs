using System.Security.Cryptography;
using System.Text;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Tests;

/// <summary>The token format, computed here the plain way: base64url(UTF-8 payload) "." base64url(HMAC-SHA256(purpose "\n" payload)).</summary>
public sealed class SignedTokensTests
{
    private const string Secret = "test-secret";

    private static string Expected(string purpose, string payload)
    {
        static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(Secret));
        var data = Encoding.UTF8.GetBytes(payload);
        byte[] message = [.. Encoding.UTF8.GetBytes(purpose + "\n"), .. data];
        return Base64Url(data) + "." + Base64Url(HMACSHA256.HashData(key, message));
    }

    public static TheoryData<string, string> Payloads() => new()
    {
        { "continuation", "invoices|20261102-SB-56A253490B-0597C0FC65-46|all|100" },
        { "storage-link", "invoice|20261102-SB-56A253490B-0597C0FC65-46|20261102-EE-0123456789-ABCDEF0123-7A|1790000000000" },
        { "access-token", "zażółć gęślą jaźń|€|" + new string('x', 3) },
        { "continuation", new string('ł', 400) },
        { new string('p', 600), "long purpose" },
        { "storage-link", "x" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void TokensHaveTheDocumentedFormatAndRoundTrip(string purpose, string payload)
    {
        var tokens = new SignedTokens(Secret);
        var token = tokens.Protect(purpose, payload);
        Assert.Equal(Expected(purpose, payload), token);
        Assert.Equal(payload, tokens.Unprotect(purpose, token));
        Assert.Null(tokens.Unprotect(purpose + "x", token));
        Assert.Equal("https://host/storage/upo/" + token, tokens.Protect(purpose, payload.AsSpan(), "https://host/storage/upo/"));
        var utf8 = new byte[4096];
        Assert.True(tokens.TryProtect(purpose, Encoding.UTF8.GetBytes(payload), utf8, out var written));
        Assert.Equal(token, Encoding.UTF8.GetString(utf8, 0, written));
        Assert.False(tokens.TryProtect(purpose, Encoding.UTF8.GetBytes(payload), utf8.AsSpan(0, written - 1), out var none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void EveryThreadSignsTheSame()
    {
        var tokens = new SignedTokens(Secret);
        var expected = Expected("continuation", "payload");
        var results = new string[8];
        Parallel.For(0, results.Length, i => results[i] = tokens.Protect("continuation", "payload"));
        Assert.All(results, token => Assert.Equal(expected, token));
    }
}
