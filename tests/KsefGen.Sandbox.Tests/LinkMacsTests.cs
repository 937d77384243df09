using System.Security.Cryptography;
using System.Text;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// The link MACs, computed here the plain way: AES-256-ECB under the HKDF-derived key of the block made of the first 12
/// bytes of the context's HMAC-SHA256 and the number (big-endian).
/// </summary>
public sealed class LinkMacsTests
{
    private const string Secret = "test-secret";

    private static byte[] Expected(string context, int number)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(Secret));
        var tag = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("storage-link\n" + context));
        var block = new byte[16];
        tag.AsSpan(0, 12).CopyTo(block);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(block.AsSpan(12), number);
        using var aes = Aes.Create();
        aes.Key = HKDF.Expand(HashAlgorithmName.SHA256, key, 32, Encoding.UTF8.GetBytes("aes|storage-link"));
        return aes.EncryptEcb(block, PaddingMode.None);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(1000)]
    public void ABatchGivesEveryNumberTheMacItGetsAlone(int count)
    {
        using var macs = new LinkMacs(new SignedTokens(Secret), "storage-link");
        var context = Encoding.UTF8.GetBytes("invoice|20261102-SB-56A253490B-0597C0FC65-46|1790000000000");
        var numbers = Enumerable.Range(1, count).Select(i => i * 7919 % 100_003).ToArray();
        var batch = new byte[count * LinkMacs.MacLength];
        macs.Compute(context, numbers, batch);
        for (var i = 0; i < count; i++)
        {
            var mac = batch.AsSpan(i * LinkMacs.MacLength, LinkMacs.MacLength);
            Assert.Equal(Expected(Encoding.UTF8.GetString(context), numbers[i]), mac.ToArray());
            Assert.True(macs.Verify(context, numbers[i], mac));
        }
        Assert.Equal(count, Enumerable.Range(0, count).Select(i => Convert.ToHexString(batch, i * LinkMacs.MacLength, LinkMacs.MacLength)).Distinct().Count());
    }

    [Fact]
    public void AMacHoldsOnlyForItsNumberContextAndKey()
    {
        using var macs = new LinkMacs(new SignedTokens(Secret), "storage-link");
        var context = Encoding.UTF8.GetBytes("invoice|20261102-SB-56A253490B-0597C0FC65-46|1790000000000");
        var mac = new byte[LinkMacs.MacLength];
        macs.Compute(context, [42], mac);
        Assert.True(macs.Verify(context, 42, mac));
        Assert.False(macs.Verify(context, 43, mac));
        Assert.False(macs.Verify(Encoding.UTF8.GetBytes("invoice|20261102-SB-56A253490B-0597C0FC65-46|1790000000001"), 42, mac));
        Assert.False(macs.Verify(context, 42, mac.AsSpan(0, 15)));
        var flipped = (byte[])mac.Clone();
        flipped[^1] ^= 1;
        Assert.False(macs.Verify(context, 42, flipped));
        using var otherKey = new LinkMacs(new SignedTokens("another-secret"), "storage-link");
        Assert.False(otherKey.Verify(context, 42, mac));
        using var otherPurpose = new LinkMacs(new SignedTokens(Secret), "export-link");
        Assert.False(otherPurpose.Verify(context, 42, mac));
    }

    [Fact]
    public void EveryThreadComputesTheSame()
    {
        using var macs = new LinkMacs(new SignedTokens(Secret), "storage-link");
        var context = Encoding.UTF8.GetBytes("session|20261102-SB-56A253490B-0597C0FC65-46|1790000000000");
        var results = new string[16];
        Parallel.For(0, results.Length, i =>
        {
            var mac = new byte[LinkMacs.MacLength];
            macs.Compute(context, [7], mac);
            results[i] = Convert.ToHexString(mac);
        });
        Assert.All(results, r => Assert.Equal(Convert.ToHexString(Expected(Encoding.UTF8.GetString(context), 7)), r));
    }
}
