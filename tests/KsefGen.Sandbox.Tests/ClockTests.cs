using System.Net;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>Tests that move the sandbox clock run alone: the clock is shared by the whole server.</summary>
public sealed class ClockTests
{
    [Fact]
    public async Task AccessTokensExpireWithTheVirtualClock()
    {
        await using var sandbox = new SandboxFixture();
        await sandbox.InitializeAsync();
        var nip = sandbox.Store.Contexts[0].Nip;
        var client = await sandbox.ClientAsync(nip);
        var session = sandbox.Store.SessionsOf(nip).First();

        await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, TestContext.Current.CancellationToken);
        sandbox.Clock.Advance(TimeSpan.FromMinutes(16));
        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("expired", error.Detail);
    }
}
