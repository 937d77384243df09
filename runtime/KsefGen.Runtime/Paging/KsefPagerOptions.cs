namespace KsefGen.Runtime.Paging;

/// <summary>Safety limits of <see cref="KsefPager"/>.</summary>
public sealed record KsefPagerOptions
{
    /// <summary>The defaults: at most 3 empty pages in a row that still say <c>hasMore</c>, no page cap.</summary>
    public static KsefPagerOptions Default { get; } = new();

    /// <summary>
    /// Offset paging: how many empty pages in a row may still say <c>hasMore</c> before the pager gives up with
    /// <see cref="PagingFailure.EndlessEmptyPages"/>. Default 3. (Continuation-token paging may legitimately return
    /// empty pages with a fresh token; there the repeated-token check is the guard.)
    /// </summary>
    public int MaxConsecutiveEmptyPages { get; init; } = 3;

    /// <summary>An optional hard cap on the number of pages fetched; exceeding it fails with <see cref="PagingFailure.TooManyPages"/>.</summary>
    public int? MaxPages { get; init; }
}
