using KsefGen.Runtime.Paging;

namespace KsefGen.Runtime.Tests;

public sealed class PagerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fake continuation-token server over a fixed list: tokens are "t{offset}", and it records every request.</summary>
    private sealed class TokenServer(int total, int pageSize)
    {
        public List<string?> Requests { get; } = [];

        public ValueTask<TokenPage<int>> FetchAsync(string? token, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Requests.Add(token);
            var start = token is null ? 0 : int.Parse(token[1..], System.Globalization.CultureInfo.InvariantCulture);
            var items = Enumerable.Range(start, Math.Max(0, Math.Min(pageSize, total - start))).ToList();
            var next = start + pageSize < total ? $"t{start + pageSize}" : null;
            return ValueTask.FromResult(new TokenPage<int>(items, next));
        }
    }

    private sealed class OffsetServer(int total)
    {
        public List<(int Offset, int Size)> Requests { get; } = [];

        public ValueTask<OffsetPage<int>> FetchAsync(int pageOffset, int pageSize, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Requests.Add((pageOffset, pageSize));
            var start = pageOffset * pageSize;
            var items = Enumerable.Range(start, Math.Max(0, Math.Min(pageSize, total - start))).ToList();
            return ValueTask.FromResult(new OffsetPage<int>(items, start + pageSize < total));
        }
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(10, 10)]
    [InlineData(11, 10)]
    [InlineData(95, 10)]
    public async Task ContinuationTokenYieldsEveryItemOnceAndStopsAtTheLastPage(int total, int pageSize)
    {
        var server = new TokenServer(total, pageSize);
        var items = await KsefPager.ItemsByContinuationToken<int>(server.FetchAsync, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, total), items);
        var pages = Math.Max(1, (total + pageSize - 1) / pageSize);
        Assert.Equal(pages, server.Requests.Count);
        Assert.Null(server.Requests[0]);
        Assert.Equal(server.Requests.Count, server.Requests.Distinct().Count());
    }

    [Fact]
    public async Task ContinuationTokenPagesCarryTheTokens()
    {
        var server = new TokenServer(25, 10);
        var pages = await KsefPager.PagesByContinuationToken<int>(server.FetchAsync, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([0, 1, 2], pages.Select(p => p.Index));
        Assert.Equal([null, "t10", "t20"], pages.Select(p => p.RequestContinuationToken));
        Assert.Equal(["t10", "t20", null], pages.Select(p => p.NextContinuationToken));
        Assert.Equal([true, true, false], pages.Select(p => p.HasMore));
        Assert.All(pages, p => Assert.Null(p.PageOffset));
        Assert.Equal([10, 10, 5], pages.Select(p => p.Items.Count));
    }

    [Fact]
    public async Task ContinuationTokenCanResumeFromASavedToken()
    {
        var server = new TokenServer(25, 10);
        var pages = await KsefPager.PagesByContinuationToken<int>(server.FetchAsync, initialToken: "t10", cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(10, 15), pages.SelectMany(p => p.Items));
        Assert.Equal(["t10", "t20"], server.Requests);
    }

    [Fact]
    public async Task EmptyStringTokenEndsTheList()
    {
        var calls = 0;
        var items = await KsefPager.ItemsByContinuationToken<string>((token, _) =>
        {
            calls++;
            return ValueTask.FromResult(new TokenPage<string>(["a", "b"], ""));
        }, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(["a", "b"], items);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task NullItemsCountAsAnEmptyPage()
    {
        var pages = await KsefPager.PagesByContinuationToken<string>((token, _) =>
            ValueTask.FromResult(token is null ? new TokenPage<string>(null, "next") : new TokenPage<string>(["x"], null)), cancellationToken: Ct).ToListAsync(Ct);
        Assert.Empty(pages[0].Items);
        Assert.Equal(["x"], pages[1].Items);
    }

    [Fact]
    public async Task ARepeatedTokenFailsInsteadOfLooping()
    {
        // The server goes t1 -> t2 -> t1: following it would never end.
        var answers = new Dictionary<string, string?> { ["<first>"] = "t1", ["t1"] = "t2", ["t2"] = "t1" };
        var received = new List<int>();
        var e = await Assert.ThrowsAsync<KsefPagingException>(async () =>
        {
            await foreach (var item in KsefPager.ItemsByContinuationToken<int>((token, _) =>
                ValueTask.FromResult(new TokenPage<int>([received.Count], answers[token ?? "<first>"])), cancellationToken: Ct))
            {
                received.Add(item);
            }
        });
        Assert.Equal(PagingFailure.RepeatedContinuationToken, e.Failure);
        Assert.Equal(2, e.PageIndex);
        Assert.Contains("\"t1\"", e.Message, StringComparison.Ordinal);
        Assert.Equal([0, 1], received);
    }

    [Fact]
    public async Task ATokenEqualToItsOwnRequestFails()
    {
        var e = await Assert.ThrowsAsync<KsefPagingException>(async () =>
            await KsefPager.ItemsByContinuationToken<int>((token, _) => ValueTask.FromResult(new TokenPage<int>([1], "same")), cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal(PagingFailure.RepeatedContinuationToken, e.Failure);
        Assert.Equal(1, e.PageIndex);
    }

    /// <summary>Shaped like a generated list response.</summary>
    private sealed record SessionsResponse(List<int> Sessions, string? ContinuationToken);

    [Fact]
    public async Task ResponseSelectorOverloadMapsAnyResponseType()
    {
        var server = new TokenServer(23, 10);
        async Task<SessionsResponse> ListSessionsAsync(string? token, CancellationToken ct)
        {
            var page = await server.FetchAsync(token, ct);
            return new SessionsResponse([.. page.Items!], page.ContinuationToken);
        }

        // Both type arguments are inferred, as in the package README.
        var items = await KsefPager.ItemsByContinuationToken((token, ct) => ListSessionsAsync(token, ct), r => r.Sessions, r => r.ContinuationToken, cancellationToken: Ct)
            .ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, 23), items);
        Assert.Equal([null, "t10", "t20"], server.Requests);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 10)]
    [InlineData(31, 10)]
    public async Task OffsetPagingYieldsEveryItemOnceWithPageNumbers(int total, int pageSize)
    {
        var server = new OffsetServer(total);
        var items = await KsefPager.ItemsByOffset<int>(server.FetchAsync, pageSize, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, total), items);
        var pages = Math.Max(1, (total + pageSize - 1) / pageSize);
        Assert.Equal(Enumerable.Range(0, pages).Select(i => (i, pageSize)), server.Requests);
    }

    [Fact]
    public async Task OffsetPagesCarryTheOffset()
    {
        var server = new OffsetServer(25);
        var pages = await KsefPager.PagesByOffset<int>(server.FetchAsync, 10, firstPageOffset: 1, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([1, 2], pages.Select(p => p.PageOffset!.Value));
        Assert.Equal([0, 1], pages.Select(p => p.Index));
        Assert.Equal(Enumerable.Range(10, 15), pages.SelectMany(p => p.Items));
        Assert.All(pages, p => Assert.Null(p.NextContinuationToken));
    }

    [Fact]
    public async Task OffsetPagingStopsAnEndlessRunOfEmptyPages()
    {
        var requests = 0;
        var e = await Assert.ThrowsAsync<KsefPagingException>(async () =>
            await KsefPager.ItemsByOffset<int>((offset, size, _) =>
            {
                requests++;
                return ValueTask.FromResult(new OffsetPage<int>(offset == 0 ? [1, 2] : [], HasMore: true));
            }, 10, new KsefPagerOptions { MaxConsecutiveEmptyPages = 2 }, Ct).ToListAsync(Ct));
        Assert.Equal(PagingFailure.EndlessEmptyPages, e.Failure);
        Assert.Equal(4, requests); // one full page, two tolerated empty ones, the third empty one fails
        Assert.Equal(3, e.PageIndex);
    }

    [Fact]
    public async Task OffsetPagingToleratesAShortRunOfEmptyPages()
    {
        var items = await KsefPager.ItemsByOffset<int>((offset, size, _) => ValueTask.FromResult(offset switch
        {
            0 => new OffsetPage<int>([1], true),
            1 or 2 => new OffsetPage<int>([], true),
            _ => new OffsetPage<int>([4], false),
        }), 10, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([1, 4], items);
    }

    [Fact]
    public async Task MaxPagesCapsBothStyles()
    {
        var options = new KsefPagerOptions { MaxPages = 3 };
        var token = await Assert.ThrowsAsync<KsefPagingException>(async () =>
            await KsefPager.ItemsByContinuationToken<int>(new TokenServer(100, 10).FetchAsync, options, Ct).ToListAsync(Ct));
        Assert.Equal(PagingFailure.TooManyPages, token.Failure);
        Assert.Equal(3, token.PageIndex);
        var offset = await Assert.ThrowsAsync<KsefPagingException>(async () =>
            await KsefPager.ItemsByOffset<int>(new OffsetServer(100).FetchAsync, 10, options, Ct).ToListAsync(Ct));
        Assert.Equal(PagingFailure.TooManyPages, offset.Failure);

        // Exactly at the cap is fine.
        Assert.Equal(30, (await KsefPager.ItemsByOffset<int>(new OffsetServer(30).FetchAsync, 10, options, Ct).ToListAsync(Ct)).Count);
    }

    [Fact]
    public async Task PagesAreFetchedLazily()
    {
        var server = new TokenServer(100, 10);
        var taken = await KsefPager.ItemsByContinuationToken<int>(server.FetchAsync, cancellationToken: Ct).Take(15).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, 15), taken);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task CancellationThroughWithCancellationStopsBeforeTheNextFetch()
    {
        var server = new TokenServer(100, 10);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<int>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in KsefPager.ItemsByContinuationToken<int>(server.FetchAsync, cancellationToken: Ct).WithCancellation(cts.Token))
            {
                seen.Add(item);
                if (item == 12) await cts.CancelAsync();
            }
        });
        Assert.Equal(Enumerable.Range(0, 20), seen); // the second page was already in hand; the third is never fetched
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task CancellationTokenReachesTheFetchDelegate()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelledInside = false;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await KsefPager.ItemsByOffset<int>((offset, size, token) =>
            {
                // The caller's token (linked with the enumerator's own) is what the fetch gets: cancelling it is seen here.
                cts.Cancel();
                cancelledInside = token.IsCancellationRequested;
                token.ThrowIfCancellationRequested();
                return ValueTask.FromResult(new OffsetPage<int>([1], false));
            }, 10, cancellationToken: cts.Token).ToListAsync(Ct));
        Assert.True(cancelledInside);
    }

    [Fact]
    public async Task AnAlreadyCancelledTokenFetchesNothing()
    {
        var server = new OffsetServer(10);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await KsefPager.ItemsByOffset<int>(server.FetchAsync, 10, cancellationToken: new CancellationToken(canceled: true)).ToListAsync(Ct));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task BadArgumentsAreRejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await KsefPager.ItemsByOffset<int>(new OffsetServer(1).FetchAsync, 0, cancellationToken: Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(async () =>
            await KsefPager.ItemsByContinuationToken<int>(null!, cancellationToken: Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await KsefPager.ItemsByContinuationToken<int>((_, _) => ValueTask.FromResult<TokenPage<int>>(null!), cancellationToken: Ct).ToListAsync(Ct));
    }
}
