using System.Runtime.CompilerServices;

namespace KsefGen.Runtime.Paging;

/// <summary>
/// Turns a page-fetching delegate into an async stream of items or of pages, for both paging styles KSeF uses:
/// a continuation token (the <c>x-continuation-token</c> request header and the <c>continuationToken</c> response field;
/// the first page is requested without a token, a null or empty token ends the list) and a page offset
/// (<c>pageOffset</c> is the zero-based page number, <c>pageSize</c> the page size, <c>hasMore</c> says whether to go on).
/// </summary>
/// <remarks>
/// Every item is yielded exactly once, in order; pages are fetched lazily, one at a time, as the caller enumerates.
/// A continuation token that was seen before fails with <see cref="KsefPagingException"/> instead of looping, and so does
/// an offset list that keeps saying <c>hasMore</c> on empty pages. Cancellation is honoured before every fetch and passed
/// to the delegate, whether it comes as the method argument or through <c>WithCancellation</c>.
/// </remarks>
public static class KsefPager
{
    /// <summary>Pages of a continuation-token list.</summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <param name="fetchPage">Fetches the page for a token (null for the first page).</param>
    /// <param name="options">Safety limits; <see cref="KsefPagerOptions.Default"/> when null.</param>
    /// <param name="initialToken">A token to resume from (a page's <see cref="Page{TItem}.NextContinuationToken"/>); null to start at the beginning.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public static async IAsyncEnumerable<Page<TItem>> PagesByContinuationToken<TItem>(
        Func<string?, CancellationToken, ValueTask<TokenPage<TItem>>> fetchPage,
        KsefPagerOptions? options = null,
        string? initialToken = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetchPage);
        options ??= KsefPagerOptions.Default;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var token = string.IsNullOrEmpty(initialToken) ? null : initialToken;
        if (token is not null) seen.Add(token);
        for (var index = 0; ; index++)
        {
            CheckPageCap(options, index);
            cancellationToken.ThrowIfCancellationRequested();
            var page = await fetchPage(token, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The page fetch returned null for page {index}.");
            var next = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
            if (next is not null && !seen.Add(next))
            {
                throw new KsefPagingException(PagingFailure.RepeatedContinuationToken, index,
                    $"Page {index} returned a continuation token that was already used ({Describe(next)}); following it would repeat pages forever. " +
                    "The server's paging is inconsistent: stop and retry the listing from the start later.");
            }
            yield return new Page<TItem>(page.Items ?? [], index, next is not null, token, next, null);
            if (next is null) yield break;
            token = next;
        }
    }

    /// <summary>Items of a continuation-token list, each exactly once.</summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <param name="fetchPage">Fetches the page for a token (null for the first page).</param>
    /// <param name="options">Safety limits; <see cref="KsefPagerOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public static async IAsyncEnumerable<TItem> ItemsByContinuationToken<TItem>(
        Func<string?, CancellationToken, ValueTask<TokenPage<TItem>>> fetchPage,
        KsefPagerOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in PagesByContinuationToken(fetchPage, options, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.Items) yield return item;
        }
    }

    /// <summary>Items of a continuation-token list whose response type is not a <see cref="TokenPage{TItem}"/>, each exactly once.</summary>
    /// <typeparam name="TResponse">The list response type (for example a generated <c>SessionsQueryResponse</c>).</typeparam>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <param name="fetchPage">Fetches the response for a token (null for the first page).</param>
    /// <param name="items">Picks the items out of a response.</param>
    /// <param name="continuationToken">Picks the next token out of a response.</param>
    /// <param name="options">Safety limits; <see cref="KsefPagerOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public static IAsyncEnumerable<TItem> ItemsByContinuationToken<TResponse, TItem>(
        Func<string?, CancellationToken, Task<TResponse>> fetchPage,
        Func<TResponse, IReadOnlyList<TItem>?> items,
        Func<TResponse, string?> continuationToken,
        KsefPagerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetchPage);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(continuationToken);
        return ItemsByContinuationToken<TItem>(async (token, ct) =>
        {
            var response = await fetchPage(token, ct).ConfigureAwait(false);
            return new TokenPage<TItem>(items(response), continuationToken(response));
        }, options, cancellationToken);
    }

    /// <summary>Pages of a page-offset list.</summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <param name="fetchPage">Fetches the page for (<c>pageOffset</c>, <c>pageSize</c>); <c>pageOffset</c> is the zero-based page number.</param>
    /// <param name="pageSize">The page size to ask for (KSeF allows 10 to 100–1000 depending on the endpoint).</param>
    /// <param name="options">Safety limits; <see cref="KsefPagerOptions.Default"/> when null.</param>
    /// <param name="firstPageOffset">The page number to start at (0 for the beginning).</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public static async IAsyncEnumerable<Page<TItem>> PagesByOffset<TItem>(
        Func<int, int, CancellationToken, ValueTask<OffsetPage<TItem>>> fetchPage,
        int pageSize,
        KsefPagerOptions? options = null,
        int firstPageOffset = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetchPage);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(firstPageOffset);
        options ??= KsefPagerOptions.Default;
        var emptyInARow = 0;
        for (var index = 0; ; index++)
        {
            CheckPageCap(options, index);
            cancellationToken.ThrowIfCancellationRequested();
            var offset = checked(firstPageOffset + index);
            var page = await fetchPage(offset, pageSize, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The page fetch returned null for page offset {offset}.");
            var items = page.Items ?? [];
            emptyInARow = items.Count == 0 && page.HasMore ? emptyInARow + 1 : 0;
            if (emptyInARow > options.MaxConsecutiveEmptyPages)
            {
                throw new KsefPagingException(PagingFailure.EndlessEmptyPages, index,
                    $"{emptyInARow} empty pages in a row (up to page offset {offset}) still said hasMore; " +
                    $"giving up after {options.MaxConsecutiveEmptyPages} allowed. The server's paging is inconsistent.");
            }
            yield return new Page<TItem>(items, index, page.HasMore, null, null, offset);
            if (!page.HasMore) yield break;
        }
    }

    /// <summary>Items of a page-offset list, each exactly once.</summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <param name="fetchPage">Fetches the page for (<c>pageOffset</c>, <c>pageSize</c>); <c>pageOffset</c> is the zero-based page number.</param>
    /// <param name="pageSize">The page size to ask for.</param>
    /// <param name="options">Safety limits; <see cref="KsefPagerOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public static async IAsyncEnumerable<TItem> ItemsByOffset<TItem>(
        Func<int, int, CancellationToken, ValueTask<OffsetPage<TItem>>> fetchPage,
        int pageSize,
        KsefPagerOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in PagesByOffset(fetchPage, pageSize, options, 0, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.Items) yield return item;
        }
    }

    private static void CheckPageCap(KsefPagerOptions options, int index)
    {
        if (options.MaxPages is { } max && index >= max)
        {
            throw new KsefPagingException(PagingFailure.TooManyPages, index, $"The list has more than the {max} pages allowed by {nameof(KsefPagerOptions.MaxPages)}.");
        }
    }

    private static string Describe(string token) =>
        token.Length <= 24 ? $"\"{token}\"" : $"\"{token[..20]}...\", {token.Length} characters";
}
