namespace KsefGen.Runtime.Paging;

/// <summary>What a continuation-token page fetch returns: the page's items and the token of the next page.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <param name="Items">The page's items (null is taken as none).</param>
/// <param name="ContinuationToken">The token for the next page; null or empty when this is the last page.</param>
public sealed record TokenPage<TItem>(IReadOnlyList<TItem>? Items, string? ContinuationToken);

/// <summary>What a page-offset fetch returns: the page's items and whether more pages follow.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <param name="Items">The page's items (null is taken as none).</param>
/// <param name="HasMore">True when another page follows.</param>
public sealed record OffsetPage<TItem>(IReadOnlyList<TItem>? Items, bool HasMore);

/// <summary>One page as the pager hands it out.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
public sealed class Page<TItem>
{
    internal Page(IReadOnlyList<TItem> items, int index, bool hasMore, string? requestToken, string? nextToken, int? pageOffset)
    {
        Items = items;
        Index = index;
        HasMore = hasMore;
        RequestContinuationToken = requestToken;
        NextContinuationToken = nextToken;
        PageOffset = pageOffset;
    }

    /// <summary>The page's items (never null).</summary>
    public IReadOnlyList<TItem> Items { get; }

    /// <summary>The zero-based position of this page in the enumeration.</summary>
    public int Index { get; }

    /// <summary>True when another page follows.</summary>
    public bool HasMore { get; }

    /// <summary>Continuation-token paging: the token this page was requested with (null for the first page); null for offset paging.</summary>
    public string? RequestContinuationToken { get; }

    /// <summary>Continuation-token paging: the token of the next page (null after the last page); keep it to resume later. Null for offset paging.</summary>
    public string? NextContinuationToken { get; }

    /// <summary>Offset paging: the <c>pageOffset</c> (page number) this page was requested with; null for continuation-token paging.</summary>
    public int? PageOffset { get; }
}
