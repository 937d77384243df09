namespace KsefGen.Runtime.Paging;

/// <summary>Why the pager stopped instead of fetching more pages.</summary>
public enum PagingFailure
{
    /// <summary>The server handed back a continuation token it had already given; following it would loop forever.</summary>
    RepeatedContinuationToken = 1,

    /// <summary>Offset paging: too many empty pages in a row still said <c>hasMore</c>.</summary>
    EndlessEmptyPages,

    /// <summary>More pages than <see cref="KsefPagerOptions.MaxPages"/> allows.</summary>
    TooManyPages,
}

/// <summary>The pager refused to go on because the server's paging answers would never end.</summary>
public sealed class KsefPagingException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What went wrong.</param>
    /// <param name="pageIndex">The zero-based index of the page whose answer was refused.</param>
    /// <param name="message">The explanation.</param>
    public KsefPagingException(PagingFailure failure, int pageIndex, string message) : base(message)
    {
        Failure = failure;
        PageIndex = pageIndex;
    }

    /// <summary>What went wrong.</summary>
    public PagingFailure Failure { get; }

    /// <summary>The zero-based index of the page whose answer was refused.</summary>
    public int PageIndex { get; }
}
