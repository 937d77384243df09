using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using KsefGen.Runtime.Tests.Http;

namespace KsefGen.Runtime.Tests.Sending;

/// <summary>A request as the fake KSeF (or the fake blob storage) saw it: method, URL, every header and the exact body.</summary>
internal sealed record ApiCall(HttpMethod Method, Uri Url, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Route => FakeKsefApi.Key(Method, Url.GetLeftPart(UriPartial.Path));

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? Authorization => Header("Authorization");

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }
}

/// <summary>
/// KSeF and its blob storage on one fake handler, answering by method + path (API paths relative to
/// <see cref="HttpTestKit.Base"/>, storage links as absolute URLs). Each route gets the call and how many calls the same
/// route had before it (0 for the first); an unrouted call gets a 404 naming it.
/// </summary>
internal sealed class FakeKsefApi : HttpMessageHandler
{
    /// <summary>The moment the fake clock stands at (<see cref="InstantTimeProvider"/>'s default).</summary>
    public static readonly DateTimeOffset Now = new InstantTimeProvider().Now;

    public const string Nip = "5261040828";

    private readonly ConcurrentDictionary<string, Func<ApiCall, int, Task<HttpResponseMessage>>> _routes = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly List<ApiCall> _calls = [];

    public static string Key(HttpMethod method, string pathOrUrl) =>
        $"{method.Method} {new Uri(HttpTestKit.Base, pathOrUrl).GetLeftPart(UriPartial.Path)}";

    public FakeKsefApi On(HttpMethod method, string pathOrUrl, Func<ApiCall, int, HttpResponseMessage> answer) =>
        OnAsync(method, pathOrUrl, (call, n) => Task.FromResult(answer(call, n)));

    public FakeKsefApi OnAsync(HttpMethod method, string pathOrUrl, Func<ApiCall, int, Task<HttpResponseMessage>> answer)
    {
        _routes[Key(method, pathOrUrl)] = answer;
        return this;
    }

    public IReadOnlyList<ApiCall> Calls
    {
        get
        {
            lock (_calls) return [.. _calls];
        }
    }

    public IReadOnlyList<ApiCall> CallsTo(HttpMethod method, string pathOrUrl)
    {
        var key = Key(method, pathOrUrl);
        return [.. Calls.Where(c => c.Route == key)];
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers) headers[name] = string.Join(",", values);
        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers) headers[name] = string.Join(",", values);
        }
        var call = new ApiCall(request.Method, request.RequestUri!, headers, body);
        lock (_calls) _calls.Add(call);
        var n = _counts.AddOrUpdate(call.Route, 0, (_, count) => count + 1);
        var response = _routes.TryGetValue(call.Route, out var answer)
            ? await answer(call, n)
            : Json(HttpStatusCode.NotFound, new { title = "no route for " + call.Route });
        response.RequestMessage ??= request;
        return response;
    }

    // ---- answers ----

    public static HttpResponseMessage Json(HttpStatusCode status, object body) =>
        FakeNetwork.Json(status, body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    public static HttpResponseMessage Empty(HttpStatusCode status) => new(status);

    /// <summary>A 400 in the legacy <c>ExceptionResponse</c> shape.</summary>
    public static HttpResponseMessage LegacyError(int code, string description = "Opis błędu.", string serviceCode = "service-code-1", params string[] details) =>
        Json(HttpStatusCode.BadRequest, new
        {
            exception = new
            {
                exceptionDetailList = new[] { new { exceptionCode = code, exceptionDescription = description, details } },
                referenceNumber = "20261120-EX-0000000000-0000000000-00",
                serviceCode,
                serviceCtx = "srvTEMFA",
                timestamp = Now,
            },
        });

    /// <summary>The certificates list with one entry per key given.</summary>
    public FakeKsefApi ServeKeys(Func<int, object[]> entriesByFetch) =>
        On(HttpMethod.Get, "security/public-key-certificates", (_, n) => Json(HttpStatusCode.OK, entriesByFetch(n)));

    public FakeKsefApi ServeKeys(params object[] entries) => ServeKeys(_ => entries);

    public int KeyFetches => CallsTo(HttpMethod.Get, "security/public-key-certificates").Count;
}

/// <summary>
/// A Ministry public key certificate with a real RSA key pair, so a test can decrypt what the runtime encrypted.
/// Three are made once per run (RSA key generation is slow).
/// </summary>
internal sealed class MinistryKey
{
    private static readonly Lazy<MinistryKey> LazyA = new(() => new MinistryKey("KSeF test key A"));
    private static readonly Lazy<MinistryKey> LazyB = new(() => new MinistryKey("KSeF test key B"));
    private static readonly Lazy<MinistryKey> LazyC = new(() => new MinistryKey("KSeF test key C"));

    private readonly byte[] _privateKey;

    private MinistryKey(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}, O=Ministerstwo Finansów, C=PL", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        Certificate = certificate.RawData;
        Thumbprint = certificate.Thumbprint;
        PublicKeyId = SHA256.HashData(certificate.GetPublicKey())[..16];
        _privateKey = rsa.ExportPkcs8PrivateKey();
    }

    public static MinistryKey A => LazyA.Value;

    public static MinistryKey B => LazyB.Value;

    public static MinistryKey C => LazyC.Value;

    public byte[] Certificate { get; }

    public string Thumbprint { get; }

    public byte[] PublicKeyId { get; }

    /// <summary>RSA-OAEP with SHA-256, the only padding KSeF accepts.</summary>
    public byte[] Decrypt(byte[] ciphertext)
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(_privateKey, out _);
        return rsa.Decrypt(ciphertext, RSAEncryptionPadding.OaepSHA256);
    }

    /// <summary>An entry of <c>GET /security/public-key-certificates</c>.</summary>
    public object Entry(DateTimeOffset validFrom, DateTimeOffset validTo, params string[] usage) =>
        new { certificate = Certificate, publicKeyId = PublicKeyId, validFrom, validTo, usage };

    /// <summary>Valid for a year around <see cref="FakeKsefApi.Now"/>, for both usages.</summary>
    public object Entry() => Entry(FakeKsefApi.Now.AddDays(-30), FakeKsefApi.Now.AddDays(365), "KsefTokenEncryption", "SymmetricKeyEncryption");
}

/// <summary>AES-256-CBC with PKCS#7, as KSeF decrypts session data.</summary>
internal static class SessionCipher
{
    public static byte[] Decrypt(byte[] key, byte[] iv, byte[] ciphertext)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>Progress that records synchronously (<see cref="Progress{T}"/> posts to the thread pool).</summary>
internal sealed class RecordingProgress<T> : IProgress<T>
{
    private readonly List<T> _seen = [];

    public IReadOnlyList<T> Seen
    {
        get
        {
            lock (_seen) return [.. _seen];
        }
    }

    public void Report(T value)
    {
        lock (_seen) _seen.Add(value);
    }
}
