namespace KsefGen.Runtime.Http;

/// <summary>
/// A KSeF 2.0 API environment: its base address, ending in <c>/v2/</c>, so relative operation paths resolve under it.
/// Use <see cref="Test"/>, <see cref="Demo"/> or <see cref="Production"/>, or <see cref="Custom"/> for any other
/// server (a sandbox, a proxy).
/// </summary>
public sealed class KsefEnvironment : IEquatable<KsefEnvironment>
{
    private KsefEnvironment(string name, Uri baseAddress)
    {
        Name = name;
        BaseAddress = baseAddress;
    }

    /// <summary>The test environment (self-issued certificates, fictitious data).</summary>
    public static KsefEnvironment Test { get; } = new("Test", new Uri("https://api-test.ksef.mf.gov.pl/v2/"));

    /// <summary>The pre-production (demo) environment.</summary>
    public static KsefEnvironment Demo { get; } = new("Demo", new Uri("https://api-demo.ksef.mf.gov.pl/v2/"));

    /// <summary>The production environment: invoices sent here are legally issued.</summary>
    public static KsefEnvironment Production { get; } = new("Production", new Uri("https://api.ksef.mf.gov.pl/v2/"));

    /// <summary>A short name: Test, Demo, Production or Custom.</summary>
    public string Name { get; }

    /// <summary>The API base address, always ending with a slash.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Any other server. The address should be the API root that operation paths such as <c>auth/challenge</c> are
    /// relative to (for KSeF and the sandbox, the <c>/v2/</c> folder); a missing trailing slash is added.
    /// </summary>
    /// <param name="baseAddress">An absolute http or https address.</param>
    /// <exception cref="ArgumentException">The address is relative or not http(s).</exception>
    public static KsefEnvironment Custom(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The base address must be an absolute http or https address.", nameof(baseAddress));
        }
        var text = baseAddress.AbsoluteUri;
        return new KsefEnvironment("Custom", text.EndsWith('/') ? baseAddress : new Uri(text + "/"));
    }

    /// <inheritdoc />
    public bool Equals(KsefEnvironment? other) => other is not null && BaseAddress == other.BaseAddress;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as KsefEnvironment);

    /// <inheritdoc />
    public override int GetHashCode() => BaseAddress.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({BaseAddress})";
}
