namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>The validator over the newest official spec, loaded once per test run and shared by every contract test.</summary>
internal static class OfficialContract
{
    private static readonly Lazy<Task<ContractValidator>> Loaded = new(() =>
        // Shared by all tests, so no single test's token may cancel it.
        ContractValidator.LoadAsync(OfficialSpecLocator.FindNewest(out _)!, reportUndeclaredProperties: true, CancellationToken.None));

    /// <summary>Whether the shared spec folder is here; <paramref name="skipReason"/> explains when not.</summary>
    public static bool IsAvailable(out string skipReason)
    {
        var path = OfficialSpecLocator.FindNewest(out var searched);
        skipReason = path is null
            ? $"The official KSeF specs are not available ({searched}): contract tests need a dated *openapi*.json under ../shared/ksef-spec beside the repository."
            : "";
        return path is not null;
    }

    /// <summary>The validator; only when <see cref="IsAvailable"/>.</summary>
    public static Task<ContractValidator> LoadAsync() => Loaded.Value;

    /// <summary>The validator; skips the calling test when the spec folder is absent.</summary>
    public static async Task<ContractValidator> RequireAsync()
    {
        Assert.SkipUnless(IsAvailable(out var reason), reason);
        return await Loaded.Value;
    }
}
