using KsefGen.Runtime.Auth;
using Microsoft.Extensions.Logging;

namespace KsefGen.Runtime.Http;

/// <summary>
/// An <see cref="IKsefAccessTokenProvider"/> that authenticates by itself: on first use it runs the authentication
/// flow, then hands out the session's access token (refreshed before expiry and after a 401); when the refresh token
/// has expired or is refused, it authenticates again. One instance per context: it is what <c>AddKsefClient</c>
/// registers for <see cref="KsefClientOptions.AuthenticateWithKsefToken"/>.
/// </summary>
public sealed class KsefAuthenticatedTokens : IKsefAccessTokenProvider, IDisposable
{
    private readonly Func<CancellationToken, Task<KsefTokenSession>> _authenticate;
    private readonly TimeProvider _clock;
    private readonly ILogger? _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KsefTokenSession? _session;

    /// <summary>Creates the provider.</summary>
    /// <param name="authenticate">Runs the whole authentication flow (e.g. a <see cref="KsefAuthenticator"/> call).</param>
    /// <param name="timeProvider">The clock for expiry checks.</param>
    /// <param name="logger">Where re-authentications are logged.</param>
    public KsefAuthenticatedTokens(Func<CancellationToken, Task<KsefTokenSession>> authenticate, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(authenticate);
        _authenticate = authenticate;
        _clock = timeProvider ?? TimeProvider.System;
        _logger = logger;
    }

    /// <summary>How many times the full flow ran.</summary>
    public int Authentications { get; private set; }

    /// <summary>The current token session, once authenticated.</summary>
    public KsefTokenSession? Session => Volatile.Read(ref _session);

    /// <inheritdoc />
    public async ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var session = Volatile.Read(ref _session);
        if (session is null || !Usable(session))
        {
            session = await AuthenticateAsync(session, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await session.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            _logger?.LogInformation("Refreshing the KSeF access token failed ({Reason}); authenticating again", e.Message);
            return (await AuthenticateAsync(session, cancellationToken).ConfigureAwait(false)).AccessToken.Token;
        }
    }

    /// <inheritdoc />
    public async ValueTask<string?> RefreshAccessTokenAsync(string rejectedToken, CancellationToken cancellationToken)
    {
        var session = Volatile.Read(ref _session);
        if (session is not null && session.AccessToken.Token != rejectedToken) return session.AccessToken.Token;
        if (session is not null)
        {
            try
            {
                if (await session.RefreshAccessTokenAsync(rejectedToken, cancellationToken).ConfigureAwait(false) is { } fresh) return fresh;
            }
            catch (HttpRequestException e)
            {
                _logger?.LogInformation("Refreshing the KSeF access token failed ({Reason}); authenticating again", e.Message);
            }
        }
        return (await AuthenticateAsync(session, cancellationToken).ConfigureAwait(false)).AccessToken.Token;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session?.Dispose();
        _gate.Dispose();
    }

    private bool Usable(KsefTokenSession session)
    {
        var now = _clock.GetUtcNow();
        return session.AccessToken.ValidUntil - now > session.RefreshMargin
            || session.RefreshToken is { } refresh && refresh.ValidUntil - now > session.RefreshMargin;
    }

    private async Task<KsefTokenSession> AuthenticateAsync(KsefTokenSession? stale, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Volatile.Read(ref _session);
            if (current is not null && !ReferenceEquals(current, stale)) return current;
            if (stale is not null) _logger?.LogInformation("KSeF tokens can no longer be refreshed; authenticating again");
            var fresh = await _authenticate(cancellationToken).ConfigureAwait(false);
            Authentications++;
            if (_logger is { } logger)
            {
                fresh.Refreshed += token => logger.LogInformation("KSeF access token refreshed; valid until {ValidUntil:u}", token.ValidUntil);
            }
            Volatile.Write(ref _session, fresh);
            stale?.Dispose();
            return fresh;
        }
        finally
        {
            _gate.Release();
        }
    }
}
