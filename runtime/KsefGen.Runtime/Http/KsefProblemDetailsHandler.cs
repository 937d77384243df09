namespace KsefGen.Runtime.Http;

/// <summary>
/// Adds <c>X-Error-Format: problem-details</c> to requests that do not carry the header, so KSeF answers errors as
/// RFC 9457 problem details.
/// </summary>
public sealed class KsefProblemDetailsHandler : DelegatingHandler
{
    /// <summary>The request header KSeF reads.</summary>
    public const string HeaderName = "X-Error-Format";

    /// <summary>The value that asks for problem details.</summary>
    public const string HeaderValue = "problem-details";

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.Contains(HeaderName))
        {
            request.Headers.TryAddWithoutValidation(HeaderName, HeaderValue);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
