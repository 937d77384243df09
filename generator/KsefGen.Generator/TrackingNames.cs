namespace KsefGen.Generator;

/// <summary>Names of the incremental pipeline steps, for caching tests.</summary>
public static class TrackingNames
{
    /// <summary>AdditionalFiles that are OpenAPI specs, with their settings.</summary>
    public const string SpecInputs = nameof(SpecInputs);

    /// <summary>AdditionalFiles that are naming files.</summary>
    public const string NamingFiles = nameof(NamingFiles);

    /// <summary>Each spec paired with its naming file.</summary>
    public const string SpecWithNames = nameof(SpecWithNames);

    /// <summary>Whether the consumer references KsefGen.Runtime (its paging exception is used then).</summary>
    public const string RuntimeReference = nameof(RuntimeReference);

    /// <summary>The spec models (parse + model building).</summary>
    public const string SpecModels = nameof(SpecModels);
}
