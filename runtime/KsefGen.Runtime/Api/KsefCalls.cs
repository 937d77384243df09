using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace KsefGen.Runtime.Api;

/// <summary>
/// The runtime's own calls to the KSeF API: JSON in and out through the source-generated <see cref="KsefWireJson"/>,
/// an explicit bearer token where an operation takes one that is not the session's access token, and every failure as
/// a <see cref="KsefRequestException"/>. Paths are relative to the API root (<c>.../v2/</c>).
/// </summary>
internal sealed class KsefCalls
{
    private readonly HttpClient _http;
    private readonly Uri _root;

    public KsefCalls(HttpClient http, Uri? baseAddress)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        var root = baseAddress ?? http.BaseAddress ?? throw new ArgumentException(
            "The HttpClient has no BaseAddress: give it the API root, e.g. KsefEnvironment.Test.BaseAddress (https://api-test.ksef.mf.gov.pl/v2/), or pass a base address.",
            nameof(http));
        _root = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
    }

    public HttpClient Http => _http;

    public Uri Root => _root;

    public Task<TResponse> GetAsync<TResponse>(string path, JsonTypeInfo<TResponse> response, string? bearer, CancellationToken cancellationToken) =>
        SendAsync<object, TResponse>(HttpMethod.Get, path, null, null, response, bearer, cancellationToken);

    /// <summary>A GET with a continuation token header (<c>x-continuation-token</c>) when there is one.</summary>
    public async Task<TResponse> GetPageAsync<TResponse>(string path, string? continuationToken, JsonTypeInfo<TResponse> response, CancellationToken cancellationToken)
    {
        using var message = Message(HttpMethod.Get, path, null);
        if (!string.IsNullOrEmpty(continuationToken)) message.Headers.TryAddWithoutValidation("x-continuation-token", continuationToken);
        return await ReadAsync(message, response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method, string path, TRequest? body, JsonTypeInfo<TRequest>? request, JsonTypeInfo<TResponse> response, string? bearer, CancellationToken cancellationToken)
    {
        using var message = Message(method, path, bearer);
        if (body is not null && request is not null) message.Content = JsonContent.Create(body, request);
        return await ReadAsync(message, response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TResponse> SendContentAsync<TResponse>(HttpMethod method, string path, HttpContent content, JsonTypeInfo<TResponse> response, string? bearer, CancellationToken cancellationToken)
    {
        using var message = Message(method, path, bearer);
        message.Content = content;
        return await ReadAsync(message, response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A call whose success has no body (204).</summary>
    public async Task SendAsync(HttpMethod method, string path, string? bearer, CancellationToken cancellationToken)
    {
        using var message = Message(method, path, bearer);
        using var answer = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!answer.IsSuccessStatusCode)
        {
            throw await KsefRequestException.FromResponseAsync(answer, $"{method} {path}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A binary download (a UPO): the bytes and the <c>x-ms-meta-hash</c> header.</summary>
    public async Task<(byte[] Content, string? Hash)> GetBytesAsync(string path, CancellationToken cancellationToken)
    {
        using var message = Message(HttpMethod.Get, path, null);
        message.Headers.Accept.Clear();
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/xml"));
        using var answer = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!answer.IsSuccessStatusCode)
        {
            throw await KsefRequestException.FromResponseAsync(answer, $"GET {path}", cancellationToken).ConfigureAwait(false);
        }
        var hash = answer.Headers.TryGetValues("x-ms-meta-hash", out var values) ? values.FirstOrDefault() : null;
        return (await answer.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), hash);
    }

    private HttpRequestMessage Message(HttpMethod method, string path, string? bearer)
    {
        var message = new HttpRequestMessage(method, new Uri(_root, path));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (bearer is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return message;
    }

    private async Task<TResponse> ReadAsync<TResponse>(HttpRequestMessage message, JsonTypeInfo<TResponse> response, CancellationToken cancellationToken)
    {
        var operation = $"{message.Method} {_root.MakeRelativeUri(message.RequestUri!)}";
        using var answer = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!answer.IsSuccessStatusCode)
        {
            throw await KsefRequestException.FromResponseAsync(answer, operation, cancellationToken).ConfigureAwait(false);
        }
        return await answer.Content.ReadFromJsonAsync(response, cancellationToken).ConfigureAwait(false)
            ?? throw new KsefRequestException($"{operation} answered {(int)answer.StatusCode} with an empty body.");
    }
}
