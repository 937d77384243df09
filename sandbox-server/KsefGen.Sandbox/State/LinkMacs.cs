using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KsefGen.Sandbox.State;

/// <summary>
/// MACs for many links that share everything but a number: the UPO links of a page of invoices share the kind, the
/// session and the expiry, and differ only in the invoice's ordinal number. The MAC of number <c>n</c> in context
/// <c>c</c> is <c>AES-256(K₂, HMAC-SHA256(K₁, purpose \n c)[..12] ‖ n)</c>: one HMAC per context, then AES as a
/// pseudo-random function on one distinct block per number, all blocks of a page in one AES-ECB call. One HMAC per
/// link (the former scheme) was a third of the server's CPU on a page of 100 invoices: each is a few calls into
/// OpenSSL, whatever the message's length. K₁ is the tokens' HMAC key; K₂ is derived from it with HKDF.
/// </summary>
internal sealed class LinkMacs : IDisposable
{
    /// <summary>Bytes in a MAC (one AES block).</summary>
    public const int MacLength = 16;

    private const int TagLength = 12;
    private const int StackBlocks = 128;
    private readonly SignedTokens _tokens;
    private readonly string _purpose;
    private readonly ThreadLocal<Aes> _aes;

    /// <summary>MACs for <paramref name="purpose"/> under the keys of <paramref name="tokens"/>.</summary>
    public LinkMacs(SignedTokens tokens, string purpose)
    {
        _tokens = tokens;
        _purpose = purpose;
        var key = tokens.DeriveKey("aes|" + purpose);
        // An Aes object per thread: its one-shot methods share the object's native state.
        _aes = new ThreadLocal<Aes>(() =>
        {
            var aes = Aes.Create();
            aes.Key = key;
            return aes;
        }, trackAllValues: true);
    }

    /// <summary>Writes the MAC of each of <paramref name="numbers"/> in <paramref name="context"/> into <paramref name="macs"/> (<see cref="MacLength"/> bytes each, in order).</summary>
    public void Compute(ReadOnlySpan<byte> context, ReadOnlySpan<int> numbers, Span<byte> macs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(macs.Length, numbers.Length * MacLength);
        if (numbers.IsEmpty) return;
        Span<byte> tag = stackalloc byte[SignedTokens.MacLength];
        _tokens.Mac(_purpose, context, tag);
        var length = numbers.Length * MacLength;
        byte[]? rented = null;
        try
        {
            var blocks = numbers.Length <= StackBlocks ? stackalloc byte[StackBlocks * MacLength] : (rented = ArrayPool<byte>.Shared.Rent(length));
            blocks = blocks[..length];
            for (var i = 0; i < numbers.Length; i++)
            {
                var block = blocks.Slice(i * MacLength, MacLength);
                tag[..TagLength].CopyTo(block);
                BinaryPrimitives.WriteInt32BigEndian(block[TagLength..], numbers[i]);
            }
            _aes.Value!.EncryptEcb(blocks, macs[..length], PaddingMode.None);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Whether <paramref name="mac"/> is the MAC of <paramref name="number"/> in <paramref name="context"/> (compared in constant time).</summary>
    public bool Verify(ReadOnlySpan<byte> context, int number, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[MacLength];
        Compute(context, [number], expected);
        return mac.Length == MacLength && CryptographicOperations.FixedTimeEquals(mac, expected);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var aes in _aes.Values) aes.Dispose();
        _aes.Dispose();
    }
}
