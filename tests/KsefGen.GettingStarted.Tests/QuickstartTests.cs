using System.Text.RegularExpressions;

namespace KsefGen.GettingStarted.Tests;

/// <summary>samples/KsefGen.Quickstart, run as the README's first command runs it: the whole flow against its in-process sandbox.</summary>
public sealed partial class QuickstartTests
{
    private static string Program => Path.Combine(Repo.Root, "samples", "KsefGen.Quickstart", "bin", Repo.Configuration, "net10.0", "KsefGen.Quickstart.dll");

    [Fact]
    public async Task TheQuickstartSendsAnInvoiceAndArchivesItsVerifiedUpo()
    {
        var ct = TestContext.Current.CancellationToken;
        var archive = Directory.CreateTempSubdirectory("ksefgen-quickstart-");
        try
        {
            var (exitCode, output) = await Repo.RunAsync("dotnet", [Program, "--archive", archive.FullName], Repo.Root, null, TimeSpan.FromMinutes(3), ct);
            Assert.True(exitCode == 0, $"the quickstart failed (exit {exitCode}):\n{output}");

            // Every step happened, in order, with what the server said.
            var steps = new[] { "1. authenticated, session ", "2. invoice sent: reference ", "3. session final: 200", "4. invoice ", "5. UPO verified (hash True" };
            var positions = steps.Select(s => output.IndexOf(s, StringComparison.Ordinal)).ToList();
            Assert.True(positions.All(p => p >= 0), $"a step is missing:\n{output}");
            Assert.Equal(positions.Order(), positions);
            Assert.Contains("Invoice 200", output, StringComparison.Ordinal);
            Assert.Contains("trust Pinned", output, StringComparison.Ordinal);

            // The archive holds the UPO under the KSeF number the quickstart printed, and it is a UPO for that number.
            var ksefNumber = KsefNumberLine().Match(output).Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(ksefNumber), output);
            var file = Assert.Single(Directory.GetFiles(archive.FullName, "*-upo.xml"));
            Assert.Contains(ksefNumber, Path.GetFileName(file), StringComparison.Ordinal);
            Assert.Contains(ksefNumber, await File.ReadAllTextAsync(file, ct), StringComparison.Ordinal);
        }
        finally
        {
            archive.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AgainstARealServerItAsksForEverythingItNeedsInsteadOfGuessing()
    {
        var (exitCode, output) = await Repo.RunAsync("dotnet", [Program, "--base-url", "https://api-test.ksef.mf.gov.pl/v2/", "--nip", "5265877635"],
            Repo.Root, null, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(2, exitCode);
        Assert.Contains("--ksef-token, --invoice and --trust are all needed", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"KSeF number (\S+), accepted")]
    private static partial Regex KsefNumberLine();
}
