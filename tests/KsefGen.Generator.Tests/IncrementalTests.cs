using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KsefGen.Generator.Tests;

/// <summary>
/// The pipeline is incremental for real: a second run, and a run after an edit to an unrelated .cs file, find every
/// step Cached or Unchanged; and no step output holds a Roslyn object (which would defeat caching and pin memory).
/// </summary>
public sealed class IncrementalTests
{
    private static readonly string[] Steps =
    [
        TrackingNames.SpecInputs, TrackingNames.NamingFiles, TrackingNames.SpecWithNames, TrackingNames.SpecModels, TrackingNames.RuntimeReference,
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (GeneratorDriver Driver, CSharpCompilation Compilation, AdditionalText Spec) FirstRun()
    {
        var spec = new InMemoryText(RepoPaths.SandboxSpec, File.ReadAllText(RepoPaths.SandboxSpec));
        var names = new InMemoryText(Path.ChangeExtension(RepoPaths.SandboxSpec, null) + ".names.json", """{ "schemas": { "FormCode": "InvoiceFormCode" } }""");
        var compilation = GeneratorHarness.CreateCompilation("namespace Consumer { public class A { } }");
        var driver = GeneratorHarness.CreateDriver([spec, names]).RunGenerators(compilation, Ct);
        var first = driver.GetRunResult();
        Assert.Empty(first.Diagnostics);
        Assert.Contains(first.GeneratedTrees, t => t.FilePath.EndsWith("InvoiceFormCode.g.cs", StringComparison.Ordinal));
        AssertNoRoslynObjects(first);
        return (driver, compilation, spec);
    }

    [Fact]
    public void SecondRunWithNoChangeIsFullyCached()
    {
        var (driver, compilation, _) = FirstRun();
        var second = driver.RunGenerators(compilation.Clone(), Ct).GetRunResult();
        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void UnrelatedCodeEditKeepsEveryStepCached()
    {
        var (driver, compilation, _) = FirstRun();
        var edited = compilation
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Consumer { public class B { public int X => 42; } }", GeneratorHarness.ParseOptions, cancellationToken: Ct))
            .ReplaceSyntaxTree(compilation.SyntaxTrees.First(), CSharpSyntaxTree.ParseText("namespace Consumer { public class A { public string Y = \"edited\"; } }", GeneratorHarness.ParseOptions, cancellationToken: Ct));
        var result = driver.RunGenerators(edited, Ct).GetRunResult();
        AssertAllCachedOrUnchanged(result);
    }

    [Fact]
    public void EditingTheSpecRerunsTheModelStep()
    {
        var (driver, compilation, spec) = FirstRun();
        var text = File.ReadAllText(RepoPaths.SandboxSpec).Replace("\"title\": \"KsefGen sandbox API\"", "\"title\": \"Edited title\"");
        driver = driver.ReplaceAdditionalText(spec, new InMemoryText(RepoPaths.SandboxSpec, text));
        var result = driver.RunGenerators(compilation, Ct).GetRunResult().Results[0];
        Assert.Contains(result.TrackedSteps[TrackingNames.SpecModels].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("'Edited title'"));
    }

    private static void AssertAllCachedOrUnchanged(GeneratorDriverRunResult run)
    {
        var result = run.Results[0];
        foreach (var step in Steps)
        {
            Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"step {step} was not tracked");
            foreach (var output in runs.SelectMany(r => r.Outputs))
            {
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {step} output was {output.Reason}");
            }
        }
        foreach (var output in result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs))
        {
            Assert.Equal(IncrementalStepRunReason.Cached, output.Reason);
        }
    }

    /// <summary>Walks every step output (records, arrays, collections) and fails on any Roslyn object.</summary>
    private static void AssertNoRoslynObjects(GeneratorDriverRunResult run)
    {
        foreach (var step in Steps)
        {
            foreach (var output in run.Results[0].TrackedSteps[step].SelectMany(r => r.Outputs))
            {
                Walk(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance), 0);
            }
        }
    }

    private static void Walk(object? node, string step, HashSet<object> seen, int depth)
    {
        if (node is null || depth > 40) return;
        var type = node.GetType();
        if (type.IsPrimitive || node is string || type.IsEnum) return;
        if (!type.IsValueType && !seen.Add(node)) return;
        Assert.False(
            node is Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or Location or AdditionalText
            || type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true,
            $"step {step} outputs a Roslyn object: {type.FullName}");
        Assert.False(type.Namespace?.StartsWith("Microsoft.OpenApi", StringComparison.Ordinal) == true, $"step {step} outputs a Microsoft.OpenApi object: {type.FullName}");
        if (node is IEnumerable enumerable)
        {
            foreach (var item in enumerable) Walk(item, step, seen, depth + 1);
            return;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTuple<,>))
        {
            Walk(type.GetField("Item1")!.GetValue(node), step, seen, depth + 1);
            Walk(type.GetField("Item2")!.GetValue(node), step, seen, depth + 1);
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            Walk(property.GetValue(node), step, seen, depth + 1);
        }
    }
}
