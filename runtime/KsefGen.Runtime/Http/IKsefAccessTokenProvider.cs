namespace KsefGen.Runtime.Http;

/// <summary>
/// Supplies the access token that <see cref="KsefAccessTokenHandler"/> puts on every request, and a fresh one when
/// KSeF rejects it with 401.
/// </summary>
public interface IKsefAccessTokenProvider
{
    /// <summary>A token to send now (an implementation may refresh one that is about to expire first).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The access token, without the <c>Bearer</c> prefix.</returns>
    ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// KSeF answered 401 to <paramref name="rejectedToken"/>: obtain a new token. If the current token is already a
    /// different one (another caller refreshed meanwhile), return it without refreshing again.
    /// </summary>
    /// <param name="rejectedToken">The token that was rejected.</param>
    /// <param name="cancellationToken">Cancels the refresh.</param>
    /// <returns>The new token, or null when no new token can be had (the 401 then goes back to the caller).</returns>
    ValueTask<string?> RefreshAccessTokenAsync(string rejectedToken, CancellationToken cancellationToken);
}
