using System.Net;
using System.Text;
using KsefGen.Runtime.Paging;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// A consumer that references KsefGen.Runtime (as this project does) gets one paging-failure type: the generated
/// Enumerate methods throw the runtime's <see cref="KsefPagingException"/>, as <see cref="KsefPager"/> does.
/// </summary>
public sealed class GeneratedPagingTests
{
    private sealed class SamePage : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"sessions":[],"continuationToken":"again"}""", Encoding.UTF8, "application/json"),
            });
        }
    }

    [Fact]
    public async Task ARepeatedTokenInGeneratedPagingIsTheRuntimesKsefPagingException()
    {
        var handler = new SamePage();
        var client = new KsefClient(new HttpClient(handler) { BaseAddress = new Uri("http://localhost/v2/") });

        var error = await Assert.ThrowsAsync<KsefPagingException>(async () =>
        {
            await foreach (var _ in client.SessionStatus.EnumerateSessionsAsync(SessionType.Online, cancellationToken: TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Equal(PagingFailure.RepeatedContinuationToken, error.Failure);
        Assert.Equal(1, error.PageIndex);
        Assert.Equal(2, handler.Requests);
    }
}
