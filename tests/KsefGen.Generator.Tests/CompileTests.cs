using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>The generated code compiles with zero errors and zero warnings (nullable on, warnings as errors).</summary>
public sealed class CompileTests
{
    public static TheoryData<string> OfficialSpecNames()
    {
        var data = new TheoryData<string>();
        foreach (var file in RepoPaths.OfficialSpecs) data.Add(Path.GetFileName(file));
        if (data.Count == 0) data.Add("(../shared absent)");
        return data;
    }

    [Fact]
    public void SandboxSpecCompilesCleanly() => AssertCompilesCleanly(RepoPaths.SandboxSpec);

    [Theory]
    [MemberData(nameof(OfficialSpecNames))]
    public void OfficialSpecCompilesCleanly(string fileName)
    {
        Assert.SkipWhen(RepoPaths.SharedSpecDirectory is null, RepoPaths.SharedMissing);
        AssertCompilesCleanly(Path.Combine(RepoPaths.SharedSpecDirectory!, "openapi", fileName));
    }

    private static void AssertCompilesCleanly(string specPath)
    {
        var (result, output) = GeneratorHarness.Run(specPath, File.ReadAllText(specPath));
        Assert.Empty(result.Diagnostics);
        Assert.Null(result.Results[0].Exception);
        Assert.NotEmpty(result.GeneratedTrees);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.Count == 0, $"{problems.Count} problems, first 20:\n" + string.Join("\n", problems.Take(20)));
    }
}
