namespace ServerlessLineage.Core.Provenance;

/// <summary>A reusable growable byte buffer; builders encode a chunk into it before copying out the exact payload.</summary>
internal sealed class ByteBuffer
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public void WriteVarint(ulong value)
    {
        EnsureCapacity(Varint.MaxLength);
        Length += Varint.Write(_buffer.AsSpan(Length), value);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Clear() => Length = 0;

    private void EnsureCapacity(int extra)
    {
        if (Length + extra <= _buffer.Length)
        {
            return;
        }

        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + extra));
    }
}
