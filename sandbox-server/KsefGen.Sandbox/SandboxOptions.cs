namespace KsefGen.Sandbox;

/// <summary>Settings of the sandbox, from the command line (--Sandbox:Seed=7) or appsettings ("Sandbox" section).</summary>
public sealed class SandboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Sandbox";

    /// <summary>The seed: the same seed gives the same data on every start.</summary>
    public int Seed { get; set; } = 20261122;

    /// <summary>How many taxpayer contexts (NIPs) to seed; at least two.</summary>
    public int Contexts { get; set; } = 2;

    /// <summary>How many invoices the large batch session of each context holds (enough for many pages).</summary>
    public int LargeSessionInvoices { get; set; } = 3000;

    /// <summary>How long an access token from /sandbox/access-tokens stays valid.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a UPO download link stays valid (the official links live for days; tests use seconds).</summary>
    public TimeSpan UpoLinkLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How many documents one session UPO page holds (10,000 officially).</summary>
    public int UpoPageSize { get; set; } = 10_000;

    /// <summary>The secret behind access tokens and continuation tokens (random per start when empty).</summary>
    public string? Secret { get; set; }
}
