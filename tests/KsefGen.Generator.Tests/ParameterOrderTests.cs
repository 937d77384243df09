using KsefGen.Generator.Model;
using KsefGen.Generator.Reading;
using Microsoft.CodeAnalysis;

namespace KsefGen.Generator.Tests;

/// <summary>
/// Every generated operation takes its parameters in one order: path (in path order), body, query, headers, the
/// continuation token, the cancellation token; required ones of each kind before the optional ones.
/// </summary>
public sealed class ParameterOrderTests
{
    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string> { RepoPaths.SandboxSpec };
        foreach (var spec in RepoPaths.OfficialSpecs) data.Add(spec);
        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void EveryOperationTakesPathBodyQueryHeadersContinuationTokenCancellationToken(string specPath)
    {
        var text = File.ReadAllText(specPath);
        var model = SpecReader.Read(new SpecInput(specPath, text, "Consumer.Ksef", "KsefClient", null, null), TestContext.Current.CancellationToken);
        var (_, output) = GeneratorHarness.Run(specPath, text);
        var checkedMethods = 0;
        foreach (var client in model.Clients)
        {
            var type = output.GetTypeByMetadataName("Consumer.Ksef." + client.Name);
            Assert.NotNull(type);
            foreach (var operation in client.Operations)
            {
                var method = type.GetMembers(operation.Name + "Async").OfType<IMethodSymbol>().Single();
                var ranks = method.Parameters.Select(p => Rank(operation, p)).ToList();
                var required = ranks.Take(method.Parameters.TakeWhile(p => !p.HasExplicitDefaultValue).Count()).ToList();
                var optional = ranks.Skip(required.Count).ToList();
                Assert.True(required.SequenceEqual(required.Order()) && optional.SequenceEqual(optional.Order()),
                    $"{client.Name}.{method.Name}({string.Join(", ", method.Parameters.Select(p => p.Name))}) is out of order");
                Assert.Equal("cancellationToken", method.Parameters[^1].Name);
                checkedMethods++;
            }
        }
        Assert.True(checkedMethods > 10, $"only {checkedMethods} operations checked");
    }

    [Fact]
    public void TheContinuationTokenComesAfterTheQueryEverywhere()
    {
        var (_, output) = GeneratorHarness.Run(RepoPaths.SandboxSpec, File.ReadAllText(RepoPaths.SandboxSpec));
        var method = output.GetTypeByMetadataName("Consumer.Ksef.SessionStatusClient")!.GetMembers("GetSessionInvoicesAsync").OfType<IMethodSymbol>().Single();
        Assert.Equal(["referenceNumber", "pageSize", "continuationToken", "cancellationToken"], method.Parameters.Select(p => p.Name));
    }

    private static int Rank(OperationModel operation, IParameterSymbol parameter)
    {
        if (parameter.Name == "cancellationToken") return 5;
        if (parameter.Name == "body") return 1;
        var model = operation.Parameters.Single(p => p.Name.TrimStart('@') == parameter.Name);
        return model.Location switch
        {
            ParameterLocation.Path => 0,
            ParameterLocation.Query => 2,
            _ when string.Equals(model.WireName, "x-continuation-token", StringComparison.OrdinalIgnoreCase) => 4,
            _ => 3,
        };
    }
}
