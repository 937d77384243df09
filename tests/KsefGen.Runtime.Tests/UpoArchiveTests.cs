using System.Text;
using KsefGen.Runtime.Upo;

namespace KsefGen.Runtime.Tests;

public sealed class UpoArchiveTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Nip = "5265877635";
    private const string Ksef = "5265877635-20250826-0100001AF629-AF";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ksefgen-runtime-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void FileNameFollowsTheConventionAndReplacesUnsafeCharacters()
    {
        Assert.Equal($"{Nip}-FA_2025_09_001-{Ksef}-upo.xml", UpoArchive.FileName(Nip, "FA/2025/09/001", Ksef));
        Assert.Equal($"{Nip}-a_b_c_d_e_f_g_h_i_j_k-{Ksef}-upo.xml", UpoArchive.FileName(Nip, "a<b>c:d\"e/f\\g|h?i*j\tk", Ksef));
        Assert.Equal($"{Nip}-FV 1_2025 (kopia)-{Ksef}-upo.xml", UpoArchive.FileName(Nip, "  FV 1/2025 (kopia)  ", Ksef));
        Assert.Equal($"{Nip}-x_y-{Ksef}-upo.xml", UpoArchive.FileName(Nip, "x\u0001y", Ksef));
        Assert.Equal($"{Nip}-.._..-{Ksef}-upo.xml", UpoArchive.FileName(Nip, "../..", Ksef));
    }

    [Fact]
    public void FileNameIsNormalisedToComposedUnicode()
    {
        var decomposed = "Faktura-zo\u0301łta"; // o + combining acute
        var name = UpoArchive.FileName(Nip, decomposed, Ksef);
        Assert.Contains("Faktura-z\u00F3łta", name, StringComparison.Ordinal); // ó as one code point
        Assert.True(name.IsNormalized(NormalizationForm.FormC));
        Assert.DoesNotContain('\u0301', name);
    }

    [Fact]
    public void LongInvoiceNumbersAreCutWithinTheByteLimitWithoutSplittingCharacters()
    {
        var name = UpoArchive.FileName(Nip, new string('ż', 256), Ksef);
        Assert.True(Encoding.UTF8.GetByteCount(name) <= UpoArchive.MaxFileNameBytes);
        Assert.True(Encoding.UTF8.GetByteCount(name) >= UpoArchive.MaxFileNameBytes - 1); // ż is two bytes: at most one byte is left unused
        Assert.EndsWith($"-{Ksef}-upo.xml", name, StringComparison.Ordinal);
        Assert.StartsWith($"{Nip}-żżż", name, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', name);

        var emoji = UpoArchive.FileName(Nip, string.Concat(Enumerable.Repeat("😀", 100)), Ksef);
        Assert.True(Encoding.UTF8.GetByteCount(emoji) <= UpoArchive.MaxFileNameBytes);
        Assert.Equal(emoji, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(emoji))); // no lone surrogate
    }

    [Theory]
    [InlineData("", "FA/1", Ksef)]
    [InlineData(Nip, " ", Ksef)]
    [InlineData(Nip, "FA/1", "")]
    public void FileNameNeedsAllThreeParts(string nip, string invoice, string ksef) =>
        Assert.ThrowsAny<ArgumentException>(() => UpoArchive.FileName(nip, invoice, ksef));

    [Fact]
    public async Task SaveWritesOnceThenIsANoOpForTheSameBytes()
    {
        var upo = "<Potwierdzenie>same</Potwierdzenie>"u8.ToArray();
        var first = await UpoArchive.SaveAsync(Path.Combine(_directory, "new", "sub"), Nip, "FA/1", Ksef, upo, Ct);
        Assert.True(first.Written);
        Assert.Equal(Path.Combine(_directory, "new", "sub", $"{Nip}-FA_1-{Ksef}-upo.xml"), first.Path);
        Assert.Equal(upo, await File.ReadAllBytesAsync(first.Path, Ct));

        var written = File.GetLastWriteTimeUtc(first.Path);
        var second = await UpoArchive.SaveAsync(Path.Combine(_directory, "new", "sub"), Nip, "FA/1", Ksef, upo, Ct);
        Assert.False(second.Written);
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(written, File.GetLastWriteTimeUtc(first.Path));
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "new", "sub"), "*", SearchOption.AllDirectories)); // no temporary file left
    }

    [Fact]
    public async Task SaveNeverOverwritesADifferentFile()
    {
        var original = "<Potwierdzenie>one</Potwierdzenie>"u8.ToArray();
        var saved = await UpoArchive.SaveAsync(_directory, Nip, "FA/1", Ksef, original, Ct);

        foreach (var other in new[] { "<Potwierdzenie>two</Potwierdzenie>"u8.ToArray(), "<Potwierdzenie>one</Potwierdzenie> "u8.ToArray(), original[..^1], Array.Empty<byte>() })
        {
            var e = await Assert.ThrowsAsync<UpoArchiveConflictException>(() => UpoArchive.SaveAsync(_directory, Nip, "FA/1", Ksef, other, Ct));
            Assert.Equal(saved.Path, e.Path);
            Assert.Contains("never overwrites", e.Message, StringComparison.Ordinal);
            Assert.Equal(original, await File.ReadAllBytesAsync(saved.Path, Ct));
        }
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task LargeIdenticalFilesCompareEqualAcrossReadBuffers()
    {
        var upo = new byte[300_000];
        new Random(1).NextBytes(upo);
        Assert.True((await UpoArchive.SaveAsync(_directory, Nip, "FA/big", Ksef, upo, Ct)).Written);
        Assert.False((await UpoArchive.SaveAsync(_directory, Nip, "FA/big", Ksef, upo, Ct)).Written);
        var changed = (byte[])upo.Clone();
        changed[^1] ^= 1;
        await Assert.ThrowsAsync<UpoArchiveConflictException>(() => UpoArchive.SaveAsync(_directory, Nip, "FA/big", Ksef, changed, Ct));
    }

    [Fact]
    public async Task ADirectoryInTheWayIsAConflict()
    {
        Directory.CreateDirectory(Path.Combine(_directory, UpoArchive.FileName(Nip, "FA/1", Ksef)));
        await Assert.ThrowsAsync<UpoArchiveConflictException>(() => UpoArchive.SaveAsync(_directory, Nip, "FA/1", Ksef, "<x/>"u8.ToArray(), Ct));
    }

    [Fact]
    public async Task ACancelledSaveWritesNothing()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            UpoArchive.SaveAsync(_directory, Nip, "FA/1", Ksef, "<x/>"u8.ToArray(), new CancellationToken(canceled: true)));
        Assert.False(Directory.Exists(_directory) && Directory.EnumerateFileSystemEntries(_directory).Any());
    }

    [Fact]
    public async Task InvoiceUpoIsNamedAfterItsOwnEntry()
    {
        var session = SandboxUpo.Session(2, invoiceNumberPrefix: "FV/2025/09/");
        var upo = SandboxUpo.SignedInvoiceUpo(session, 1);
        var result = await UpoArchive.SaveInvoiceUpoAsync(_directory, upo, Ct);
        var invoice = session.Invoices[1];
        Assert.Equal($"{session.ContextNip}-FV_2025_09_002-{invoice.KsefNumber}-upo.xml", Path.GetFileName(result.Path));
        Assert.Equal(upo, await File.ReadAllBytesAsync(result.Path, Ct));

        var entry = UpoDocument.Parse(upo).Documents[0];
        Assert.False((await UpoArchive.SaveAsync(_directory, entry, upo, Ct)).Written);
    }

    [Fact]
    public async Task ASessionUpoPageIsNotAnInvoiceUpo()
    {
        var upo = SandboxUpo.SignedSessionUpo(SandboxUpo.Session(3));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => UpoArchive.SaveInvoiceUpoAsync(_directory, upo, Ct));
        Assert.Contains("lists 3", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task ASessionUpoPageIsNamedAfterItsContextSessionAndPageReference()
    {
        var session = SandboxUpo.Session(3);
        var upo = SandboxUpo.SignedSessionUpo(session);
        const string page = "20251129-EU-1234567890-ABCDEF0123-45";

        var result = await UpoArchive.SaveSessionUpoAsync(_directory, page, upo, Ct);

        Assert.Equal($"{session.ContextNip}-{session.ReferenceNumber}-{page}-upo.xml", Path.GetFileName(result.Path));
        Assert.True(result.Written);
        Assert.Equal(upo, await File.ReadAllBytesAsync(result.Path, Ct));
        Assert.False((await UpoArchive.SaveSessionUpoAsync(_directory, page, upo, Ct)).Written);
        await Assert.ThrowsAsync<UpoArchiveConflictException>(() => UpoArchive.SaveSessionUpoAsync(_directory, page,
            SandboxUpo.Replace(upo, session.Invoices[0].KsefNumber!, session.Invoices[1].KsefNumber!), Ct));
    }
}
