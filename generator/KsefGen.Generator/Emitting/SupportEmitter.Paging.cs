namespace KsefGen.Generator.Emitting;

internal static partial class SupportEmitter
{
    // The paging loops (exactly once, endless loops refused) every paged operation hands its page fetch to.
    private const string PagingTemplate = """
namespace __NS__.Internal
{
    /// <summary>
    /// The paging loops of every paged operation: each page is fetched when the caller asks for the next, and every item
    /// is yielded exactly once; a loop the server would make endless throws instead.
    /// </summary>
    internal static class KsefPaging
    {
        // KSeF's continuation style: the x-continuation-token header in, the continuationToken property out.
        public static async global::System.Collections.Generic.IAsyncEnumerable<TPage> ContinuationAsync<TPage>(
            string operation,
            global::System.Func<string?, global::System.Threading.CancellationToken, global::System.Threading.Tasks.Task<TPage>> fetch,
            global::System.Func<TPage, string?> next,
            [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
        {
            string? cursor = null;
            var seen = new global::System.Collections.Generic.HashSet<string>(global::System.StringComparer.Ordinal);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await fetch(cursor, cancellationToken).ConfigureAwait(false);
                yield return page;
                var token = next(page);
                if (string.IsNullOrEmpty(token)) yield break;
                if (!seen.Add(token!))
                {
                    var message = operation + ": the server returned a continuation token it had already given; stopping instead of looping forever.";
                    throw __REPEATED_TOKEN__;
                }
                cursor = token;
            }
        }

        // KSeF's page-index style: pageOffset = 0, 1, 2 ... until a page's hasMore is false.
        public static async global::System.Collections.Generic.IAsyncEnumerable<TPage> OffsetAsync<TPage>(
            string operation,
            global::System.Func<long, global::System.Threading.CancellationToken, global::System.Threading.Tasks.Task<TPage>> fetch,
            global::System.Func<TPage, bool> hasMore,
            global::System.Func<TPage, int> count,
            [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
        {
            long cursor = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await fetch(cursor, cancellationToken).ConfigureAwait(false);
                yield return page;
                if (!hasMore(page)) yield break;
                if (count(page) == 0)
                {
                    var message = operation + ": the server sent an empty page that claims more pages; stopping instead of looping forever.";
                    throw __ENDLESS_PAGES__;
                }
                cursor++;
            }
        }

        // The items of every page, in order.
        public static async global::System.Collections.Generic.IAsyncEnumerable<TItem> ItemsAsync<TPage, TItem>(
            global::System.Collections.Generic.IAsyncEnumerable<TPage> pages,
            global::System.Func<TPage, global::System.Collections.Generic.IEnumerable<TItem>?> items,
            [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
        {
            await foreach (var page in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.WithCancellation(pages, cancellationToken).ConfigureAwait(false))
            {
                if (items(page) is not { } list) continue;
                foreach (var item in list) yield return item;
            }
        }
    }
}
""";
}
