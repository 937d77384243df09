using System.Net;
using System.Net.Http.Headers;

namespace KsefGen.Runtime.Http;

/// <summary>
/// Puts <c>Authorization: Bearer</c> with the provider's access token on every request that has none. On a 401 it
/// asks the provider for a new token and sends a copy of the request once more; a second 401 goes back to the caller.
/// </summary>
public sealed class KsefAccessTokenHandler : DelegatingHandler
{
    private readonly IKsefAccessTokenProvider _provider;

    /// <summary>Creates the handler.</summary>
    /// <param name="provider">Where tokens come from.</param>
    public KsefAccessTokenHandler(IKsefAccessTokenProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _provider = provider;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A caller that set its own token (e.g. the refresh token for auth/token/refresh) keeps it.
        if (request.Headers.Authorization is not null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var token = await _provider.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        // Buffered now so the body can be sent a second time after a 401.
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var fresh = await _provider.RefreshAccessTokenAsync(token, cancellationToken).ConfigureAwait(false);
        if (fresh is null || fresh == token)
        {
            return response;
        }
        response.Dispose();
        using var retry = await CloneAsync(request, cancellationToken).ConfigureAwait(false);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh);
        return await base.SendAsync(retry, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };
        foreach (var (name, values) in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(name, values);
        }
        foreach (var (key, value) in request.Options)
        {
            ((IDictionary<string, object?>)clone.Options)[key] = value;
        }
        if (request.Content is not null)
        {
            var body = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            clone.Content = new ByteArrayContent(body);
            foreach (var (name, values) in request.Content.Headers)
            {
                clone.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
        return clone;
    }
}
