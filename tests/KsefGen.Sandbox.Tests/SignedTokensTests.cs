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

    /// <summary>What Unprotect did before it read tokens as spans: strings per part and a lenient Base64 decoding.</summary>
    private static string? ReferenceUnprotect(string purpose, string? token)
    {
        static byte[]? FromBase64Url(string text)
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
        if (string.IsNullOrEmpty(token) || token.Length > 4096) return null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return null;
        var data = FromBase64Url(token[..dot]);
        var mac = FromBase64Url(token[(dot + 1)..]);
        if (data is null || mac is null) return null;
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(Secret));
        byte[] message = [.. Encoding.UTF8.GetBytes(purpose + "\n"), .. data];
        var expected = HMACSHA256.HashData(key, message);
        return CryptographicOperations.FixedTimeEquals(mac, expected) ? Encoding.UTF8.GetString(data) : null;
    }

    [Fact]
    public void TokensReadAsSpansAcceptAndRefuseWhatTheyDidAsStrings()
    {
        var tokens = new SignedTokens(Secret);
        var random = new Random(7);
        var variants = new List<string>();
        foreach (var payload in new[] { "invoices|20261102-SB-56A253490B-0597C0FC65-46|all|100", "a", "ab", "abc", new string('ł', 1500) })
        {
            var token = tokens.Protect("continuation", payload);
            variants.Add(token);
            var dot = token.IndexOf('.', StringComparison.Ordinal);
            // The standard alphabet and padding, whitespace, a changed character, nonzero trailing bits, odd lengths.
            variants.Add(token.Replace('-', '+').Replace('_', '/'));
            variants.Add(token[..dot] + "==" + token[dot..]);
            variants.Add(token + "=");
            variants.Add(token + "==");
            variants.Add(token[..1] + " " + token[1..]);
            variants.Add(token[..dot] + " ." + token[(dot + 1)..]);
            variants.Add(token[..dot] + "A" + token[dot..]);
            variants.Add(token[..^1]);
            variants.Add(token + "A");
            variants.Add(token[..(dot - 1)] + (token[dot - 1] == 'B' ? 'C' : 'B') + token[dot..]);
            variants.Add(token[..^1] + (token[^1] == 'B' ? 'C' : 'B'));
            variants.Add("." + token);
            variants.Add(token.Replace(".", "", StringComparison.Ordinal));
            for (var i = 0; i < 50; i++)
            {
                var chars = token.ToCharArray();
                chars[random.Next(chars.Length)] = "AQgw-_+/= .x"[random.Next(12)];
                variants.Add(new string(chars));
            }
        }
        variants.Add("");
        variants.Add(".");
        variants.Add(new string('A', 5000) + ".A");
        foreach (var variant in variants)
        {
            Assert.Equal(ReferenceUnprotect("continuation", variant), tokens.Unprotect("continuation", variant));
            Assert.Null(tokens.Unprotect("storage-link", variant));
        }
        Assert.Contains(variants, v => v != variants[0] && tokens.Unprotect("continuation", v) is not null);
    }

    [Fact]
    public void ContinuationTokensCarryTheirListAndOffset()
    {
        var tokens = new SignedTokens(Secret);
        var pages = new Processing.ContinuationTokens(tokens);
        const string Scope = "invoices|20261102-SB-56A253490B-0597C0FC65-46|all";
        var next = pages.Next(Scope, 900);
        Assert.Equal(900, pages.OffsetOf(Scope, next));
        Assert.Equal(0, pages.OffsetOf(Scope, null));
        Assert.Equal(0, pages.OffsetOf(Scope, ""));
        Assert.Null(pages.OffsetOf(Scope + "x", next));
        Assert.Null(pages.OffsetOf(Scope[..^1], next));
        Assert.Null(pages.OffsetOf("invoices|20261102-SB-56A253490B-0597C0FC65-46|failed", next));
        Assert.Null(pages.OffsetOf(Scope, next[..^1] + (next[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(pages.OffsetOf(Scope, tokens.Protect("continuation", Scope + "|-1")));
        Assert.Null(pages.OffsetOf(Scope, tokens.Protect("continuation", Scope + "|")));
        Assert.Null(pages.OffsetOf(Scope, tokens.Protect("continuation", Scope + "| 1")));
        Assert.Null(pages.OffsetOf(Scope, tokens.Protect("storage-link", Scope + "|1")));
        // A payload larger than the stack buffer (the token stays under the 4096 characters tokens may have).
        var longScope = "sessions|" + new string('ż', 1000);
        Assert.Equal(12, pages.OffsetOf(longScope, pages.Next(longScope, 12)));
        // The lenient reading tokens have always had: the standard Base64 alphabet too.
        Assert.Equal(5, pages.OffsetOf(Scope, pages.Next(Scope, 5).Replace('-', '+').Replace('_', '/')));
    }
}
