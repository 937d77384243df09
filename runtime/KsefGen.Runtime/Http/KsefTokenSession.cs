using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace KsefGen.Runtime.Http;

/// <summary>A token and the moment it stops being valid.</summary>
/// <param name="Token">The token (a JWT for KSeF).</param>
/// <param name="ValidUntil">Its expiry as KSeF reported it.</param>
public sealed record KsefToken(string Token, DateTimeOffset ValidUntil);

/// <summary>
/// An <see cref="IKsefAccessTokenProvider"/> holding the access and refresh tokens that the authentication flow
/// returned. It refreshes the access token through <c>POST auth/token/refresh</c> (with the refresh token as bearer)
/// when the token is within <see cref="RefreshMargin"/> of expiry, or after KSeF rejected it. Concurrent callers share
/// one refresh.
/// </summary>
public sealed class KsefTokenSession : IKsefAccessTokenProvider, IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _refreshAddress;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KsefToken _access;

    /// <summary>Creates a session.</summary>
    /// <param name="http">
    /// A plain client for the refresh call (not one whose handlers add a bearer token). Not disposed by the session.
    /// </param>
    /// <param name="environment">The environment the tokens belong to.</param>
    /// <param name="accessToken">The current access token.</param>
    /// <param name="refreshToken">The refresh token, or null when the session cannot refresh (the access token alone).</param>
    /// <param name="timeProvider">The clock for expiry checks (system clock when null).</param>
    public KsefTokenSession(HttpClient http, KsefEnvironment environment, KsefToken accessToken, KsefToken? refreshToken, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(accessToken);
        _http = http;
        _refreshAddress = new Uri(environment.BaseAddress, "auth/token/refresh");
        _access = accessToken;
        RefreshToken = refreshToken;
        _clock = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How close to expiry the access token is refreshed before use (default 60 s).</summary>
    public TimeSpan RefreshMargin { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The access token now held.</summary>
    public KsefToken AccessToken => Volatile.Read(ref _access);

    /// <summary>The refresh token, if any.</summary>
    public KsefToken? RefreshToken { get; }

    /// <summary>Raised after each successful refresh, with the new access token.</summary>
    public event Action<KsefToken>? Refreshed;

    /// <inheritdoc />
    public async ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var current = AccessToken;
        if (!CanRefresh || current.ValidUntil - _clock.GetUtcNow() > RefreshMargin)
        {
            return current.Token;
        }
        return await RefreshAsync(current.Token, cancellationToken).ConfigureAwait(false) ?? current.Token;
    }

    /// <inheritdoc />
    public ValueTask<string?> RefreshAccessTokenAsync(string rejectedToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejectedToken);
        return CanRefresh ? new ValueTask<string?>(RefreshAsync(rejectedToken, cancellationToken)) : new ValueTask<string?>((string?)null);
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private bool CanRefresh => RefreshToken is not null && RefreshToken.ValidUntil > _clock.GetUtcNow();

    /// <summary>Refreshes unless another caller already replaced <paramref name="stale"/>.</summary>
    private async Task<string?> RefreshAsync(string stale, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = AccessToken;
            if (current.Token != stale)
            {
                return current.Token;
            }
            var fresh = await CallRefreshAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _access, fresh);
            Refreshed?.Invoke(fresh);
            return fresh.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<KsefToken> CallRefreshAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _refreshAddress);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RefreshToken!.Token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException(
                string.Create(CultureInfo.InvariantCulture, $"Refreshing the KSeF access token failed with {(int)response.StatusCode}: {Shorten(body)}"),
                null,
                response.StatusCode);
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("accessToken", out var access)
                && access.ValueKind == JsonValueKind.Object
                && access.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String
                && access.TryGetProperty("validUntil", out var validUntil) && validUntil.TryGetDateTimeOffset(out var until))
            {
                return new KsefToken(token.GetString()!, until);
            }
        }
        throw new HttpRequestException("The KSeF token refresh answer has no accessToken.token and accessToken.validUntil.");
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
