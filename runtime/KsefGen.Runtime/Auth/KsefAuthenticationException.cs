using KsefGen.Runtime.Status;

namespace KsefGen.Runtime.Auth;

/// <summary>
/// An authentication operation ended with a failure status (415, 425, 450, 460, 470, 480, 500, 550 or an unknown code
/// of 400 and above). Carries the status as KSeF sent it and the advice for the code.
/// </summary>
public sealed class KsefAuthenticationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="referenceNumber">The authentication operation's reference number.</param>
    /// <param name="code">The status code.</param>
    /// <param name="description">The status description as KSeF sent it.</param>
    /// <param name="details">The status details.</param>
    public KsefAuthenticationException(string referenceNumber, int code, string? description, IReadOnlyList<string> details)
        : base(Compose(referenceNumber, code, description, details))
    {
        ReferenceNumber = referenceNumber;
        StatusCode = code;
        Description = description;
        Details = details;
        Advice = KsefStatusAdvisor.ForAuthentication(code);
    }

    /// <summary>Creates the exception with a message only.</summary>
    public KsefAuthenticationException() : this("", 500, null, []) { }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public KsefAuthenticationException(string message) : base(message)
    {
        ReferenceNumber = "";
        Details = [];
        Advice = KsefStatusAdvisor.ForAuthentication(500);
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public KsefAuthenticationException(string message, Exception inner) : base(message, inner)
    {
        ReferenceNumber = "";
        Details = [];
        Advice = KsefStatusAdvisor.ForAuthentication(500);
    }

    /// <summary>The authentication operation's reference number (<c>...-AU-...</c>).</summary>
    public string ReferenceNumber { get; }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>The status description as KSeF sent it (Polish on the live server).</summary>
    public string? Description { get; }

    /// <summary>The status details (which check failed).</summary>
    public IReadOnlyList<string> Details { get; }

    /// <summary>What the code means and what to do.</summary>
    public KsefStatusAdvice Advice { get; }

    private static string Compose(string reference, int code, string? description, IReadOnlyList<string> details)
    {
        var advice = KsefStatusAdvisor.ForAuthentication(code);
        var said = description is null ? "" : $" \"{description}{(details.Count > 0 ? ": " + string.Join("; ", details) : "")}\"";
        return $"Authentication {reference} ended with status {code} ({advice.Meaning}){said}. {advice.Explanation}";
    }
}
