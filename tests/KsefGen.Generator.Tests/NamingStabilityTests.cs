using KsefGen.Generator.Model;
using KsefGen.Generator.Reading;

namespace KsefGen.Generator.Tests;

/// <summary>
/// Names do not move between spec versions: an operation or schema present in two official versions gets the same
/// client, method and type name in both, including across the 2025-12-15 switch from "/api/v2/..." paths to a
/// servers entry with relative paths.
/// </summary>
public sealed class NamingStabilityTests
{
    private static readonly string[] StatusAndUpoNames =
    [
        "GetSessionsAsync", "GetSessionStatusAsync", "GetSessionInvoicesAsync", "GetSessionInvoiceAsync",
        "GetSessionFailedInvoicesAsync", "GetSessionInvoiceUpoByReferenceNumberAsync",
        "GetSessionInvoiceUpoByKsefNumberAsync", "GetSessionUpoAsync",
    ];

    private static SpecModel Read(string path) =>
        SpecReader.Read(new SpecInput(path, File.ReadAllText(path), "Consumer.Ksef", "KsefClient", null, null), TestContext.Current.CancellationToken);

    [Fact]
    public void OperationAndSchemaNamesAreStableAcrossOfficialVersions()
    {
        Assert.SkipWhen(RepoPaths.OfficialSpecs.Count == 0, RepoPaths.SharedMissing);
        var models = RepoPaths.OfficialSpecs.Select(p => (Name: Path.GetFileName(p), Model: Read(p))).ToList();
        Assert.Contains(models, m => m.Model.ServerUrl is null);
        Assert.Contains(models, m => m.Model.ServerUrl is not null);

        var operationNames = new Dictionary<string, (string Name, string From)>();
        var schemaNames = new Dictionary<string, (string Name, string From)>();
        var compared = 0;
        foreach (var (file, model) in models)
        {
            Assert.Empty(model.Diagnostics);
            foreach (var client in model.Clients)
            {
                foreach (var operation in client.Operations)
                {
                    var name = client.Name + "." + operation.Name;
                    if (operationNames.TryGetValue(operation.Key, out var earlier))
                    {
                        Assert.True(earlier.Name == name, $"{operation.Key}: '{earlier.Name}' in {earlier.From}, '{name}' in {file}");
                        compared++;
                    }
                    operationNames[operation.Key] = (name, file);
                }
            }
            foreach (var type in model.Objects.Select(o => (o.SchemaName, o.Name)).Concat(model.Enums.Select(e => (e.SchemaName, e.Name))))
            {
                if (schemaNames.TryGetValue(type.SchemaName, out var earlier))
                {
                    Assert.True(earlier.Name == type.Name, $"{type.SchemaName}: '{earlier.Name}' in {earlier.From}, '{type.Name}' in {file}");
                }
                schemaNames[type.SchemaName] = (type.Name, file);
            }
        }
        Assert.True(compared > 200, $"only {compared} operations were compared across versions");
    }

    [Fact]
    public void EveryOperationAndTagOfEveryOfficialVersionHasABuiltInEnglishName()
    {
        Assert.SkipWhen(RepoPaths.OfficialSpecs.Count == 0, RepoPaths.SharedMissing);
        foreach (var path in RepoPaths.OfficialSpecs)
        {
            var model = Read(path);
            foreach (var client in model.Clients)
            {
                Assert.True(client.Tag is not null && KnownNames.Tag(client.Tag) is not null, $"{Path.GetFileName(path)}: tag '{client.Tag}' has no English name");
                foreach (var operation in client.Operations)
                {
                    Assert.True(KnownNames.Operations.TryGetValue(operation.Key, out var known), $"{Path.GetFileName(path)}: {operation.Key} has no English name (now '{operation.Name}')");
                    Assert.Equal(known.Client + "Client", client.Name);
                    Assert.Equal(known.Method, operation.Name);
                }
            }
        }
    }

    [Fact]
    public void TheEightStatusAndUpoOperationsHaveTheirSdkNamesInEveryVersion()
    {
        Assert.SkipWhen(RepoPaths.OfficialSpecs.Count == 0, RepoPaths.SharedMissing);
        var expected = new Dictionary<string, string>
        {
            ["GET /sessions"] = "GetSessionsAsync",
            ["GET /sessions/{}"] = "GetSessionStatusAsync",
            ["GET /sessions/{}/invoices"] = "GetSessionInvoicesAsync",
            ["GET /sessions/{}/invoices/{}"] = "GetSessionInvoiceAsync",
            ["GET /sessions/{}/invoices/failed"] = "GetSessionFailedInvoicesAsync",
            ["GET /sessions/{}/invoices/{}/upo"] = "GetSessionInvoiceUpoByReferenceNumberAsync",
            ["GET /sessions/{}/invoices/ksef/{}/upo"] = "GetSessionInvoiceUpoByKsefNumberAsync",
            ["GET /sessions/{}/upo/{}"] = "GetSessionUpoAsync",
        };
        foreach (var path in RepoPaths.OfficialSpecs)
        {
            var operations = Read(path).Clients.SelectMany(c => c.Operations.Select(o => (Client: c.Name, Operation: o))).ToList();
            var found = operations.Where(o => expected.ContainsKey(o.Operation.Key)).ToList();
            Assert.True(found.Count >= 7, $"{Path.GetFileName(path)}: only {found.Count} status/UPO operations");
            Assert.All(found, o =>
            {
                Assert.Equal("SessionStatusClient", o.Client);
                Assert.Equal(expected[o.Operation.Key], o.Operation.Name + "Async");
            });
        }
        var newest = Read(RepoPaths.NewestOfficialSpec!).Clients.Single(c => c.Name == "SessionStatusClient");
        Assert.Equal(StatusAndUpoNames.Order(), newest.Operations.Select(o => o.Name + "Async").Order());
    }

    [Fact]
    public void NewestOfficialSpecHasEveryOperationAndTheStatusTypes()
    {
        Assert.SkipWhen(RepoPaths.NewestOfficialSpec is null, RepoPaths.SharedMissing);
        var model = Read(RepoPaths.NewestOfficialSpec!);
        Assert.Equal(78, model.Clients.Sum(c => c.Operations.Count));
        Assert.All(model.Clients, c => Assert.Matches("^[A-Z][A-Za-z]+Client$", c.Name));
        var tables = model.StatusTables.ToDictionary(t => t.Name);
        Assert.Equal([100, 150, 170, 200, 405, 415, 420, 430, 435, 440, 445, 500], tables["SessionStatusCode"].Rows.Select(r => r.Code));
        Assert.True(tables["SessionStatusCode"].HasWildcardRow);
        Assert.Equal([100, 150, 200, 405, 410, 415, 430, 435, 440, 450, 500, 550], tables["InvoiceStatusCode"].Rows.Select(r => r.Code));
        Assert.Equal([100, 200, 415, 425, 450, 460, 470, 480, 500, 550], tables["AuthenticationStatusCode"].Rows.Select(r => r.Code));
        Assert.Equal(["AuthenticationOperationStatusResponse.status", "AuthenticationListItem.status"], tables["AuthenticationStatusCode"].Sources.Order().Reverse());
        var duplicate = tables["InvoiceStatusCode"].Rows.Single(r => r.Code == 440);
        Assert.Equal(["originalSessionReferenceNumber", "originalKsefNumber"], duplicate.Extensions);
        var invoiceStatusInfo = model.Objects.Single(o => o.Name == "InvoiceStatusInfo");
        Assert.Equal(["OriginalSessionReferenceNumber", "OriginalKsefNumber"], invoiceStatusInfo.ExtensionAccessors.Select(a => a.Name));
        // Batch and online sub-tables both describe 100 and 440; the two batch 440 rows merge their details.
        var cancelled = tables["SessionStatusCode"].Rows.Single(r => r.Code == 440);
        Assert.Equal(2, cancelled.Variants.Count);
        Assert.Equal(2, cancelled.Variants.Single(v => v.Scope!.Contains("wsadowa")).Details.Count);
        Assert.All(tables.Values.SelectMany(t => t.Rows), r => Assert.DoesNotMatch("^Code[0-9]+$", r.Name));
    }

    [Fact]
    public void JsonContextPropertiesAreNamedByTheReaderAsTheTypeUnlessTheContextHasThatMemberAlready()
    {
        var entries = KsefGen.Generator.Reading.Naming.JsonContextProperties(["Zeta", "OptionsInfo", "Options", "Equals", "Default"]);
        Assert.Equal(
            [("Default", "DefaultInfo"), ("Equals", "EqualsInfo"), ("Options", "OptionsInfo2"), ("OptionsInfo", "OptionsInfo"), ("Zeta", "Zeta")],
            entries.Select(e => (e.TypeName, e.PropertyName)));
    }
}
