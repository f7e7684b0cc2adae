using System.Buffers.Binary;
using System.IO.Hashing;

namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Common shape of the chunked provenance maps: an index, self-contained chunk payloads, and a whole-file serialization.
/// File layout: magic "SLPV", index (format version, kind, key count, chunk entries), payloads in chunk order, CRC-32 (LE) of
/// everything before it.
/// </summary>
public abstract class ProvenanceMap
{
    private static ReadOnlySpan<byte> Magic => "SLPV"u8;

    private const int ChecksumLength = 4;

    private readonly ReadOnlyMemory<byte>[] _payloads;
    private ProvenanceChunk[]? _chunks;

    private protected ProvenanceMap(ProvenanceIndex index, ReadOnlyMemory<byte>[] payloads)
    {
        Index = index;
        _payloads = payloads;
    }

    public ProvenanceIndex Index { get; }

    public ProvenanceKind Kind => Index.Kind;

    /// <summary>Number of keys (ordinals 0..Count-1).</summary>
    public long Count => Index.KeyCount;

    /// <summary>The chunks in key order, ready to store one per table entity alongside <see cref="Index"/>.</summary>
    public IReadOnlyList<ProvenanceChunk> Chunks => _chunks ??= CreateChunks();

    public ProvenanceSize GetSize()
    {
        long indexBytes = Index.ToBytes().Length;
        long payloadBytes = 0;
        foreach (var payload in _payloads)
        {
            payloadBytes += payload.Length;
        }

        var total = Magic.Length + indexBytes + payloadBytes + ChecksumLength;
        return new ProvenanceSize(Count, _payloads.Length, indexBytes, payloadBytes, total);
    }

    /// <summary>Writes the whole-file serialization.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var crc = new Crc32();
        var head = new ByteBuffer();
        head.Write(Magic);
        Index.WriteTo(head);
        Write(stream, crc, head.Span);
        foreach (var payload in _payloads)
        {
            Write(stream, crc, payload.Span);
        }

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, crc.GetCurrentHashAsUInt32());
        stream.Write(checksum);
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    private protected ReadOnlySpan<byte> Payload(int chunkIndex) => _payloads[chunkIndex].Span;

    /// <summary>Reads and checks a whole file: magic, version, kind, checksum, index and payload lengths.</summary>
    private protected static (ProvenanceIndex Index, ReadOnlyMemory<byte>[] Payloads) ReadFile(Stream stream, ProvenanceKind expectedKind)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes;
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }

        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a provenance file: the magic bytes 'SLPV' are missing.");
        }

        var reader = new PayloadReader(bytes.AsSpan(Magic.Length));
        var version = reader.ReadByte();
        if (version != ProvenanceIndex.FormatVersion)
        {
            throw new InvalidDataException(
                $"Unsupported provenance format version {version}; this build reads version {ProvenanceIndex.FormatVersion}.");
        }

        var kind = (ProvenanceKind)reader.ReadByte();
        if (kind != expectedKind)
        {
            throw new InvalidDataException($"The provenance file holds kind {kind}, expected {expectedKind}.");
        }

        if (bytes.Length < Magic.Length + 2 + ChecksumLength)
        {
            throw new InvalidDataException("The provenance file is truncated.");
        }

        var body = bytes.AsSpan(0, bytes.Length - ChecksumLength);
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - ChecksumLength));
        if (Crc32.HashToUInt32(body) != stored)
        {
            throw new InvalidDataException("The provenance file is corrupted or truncated: its checksum does not match.");
        }

        reader = new PayloadReader(body[Magic.Length..]);
        var index = ProvenanceIndex.Read(ref reader);
        var offset = Magic.Length + reader.Position;
        var payloads = new ReadOnlyMemory<byte>[index.Entries.Count];
        foreach (var entry in index.Entries)
        {
            if (entry.PayloadLength > body.Length - offset)
            {
                throw new InvalidDataException($"The provenance file is truncated inside chunk {entry.ChunkIndex}.");
            }

            payloads[entry.ChunkIndex] = bytes.AsMemory(offset, entry.PayloadLength);
            offset += entry.PayloadLength;
        }

        if (offset != body.Length)
        {
            throw new InvalidDataException($"The provenance file has {body.Length - offset} unexpected byte(s) after its last chunk.");
        }

        return (index, payloads);
    }

    /// <summary>Checks that chunks from a store line up with their index before a map is built from them.</summary>
    private protected static ReadOnlyMemory<byte>[] CheckChunks(
        ProvenanceIndex index, IReadOnlyList<ReadOnlyMemory<byte>> payloads, ProvenanceKind expectedKind)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(payloads);
        if (index.Kind != expectedKind)
        {
            throw new InvalidDataException($"The provenance index holds kind {index.Kind}, expected {expectedKind}.");
        }

        if (payloads.Count != index.Entries.Count)
        {
            throw new InvalidDataException($"The provenance index lists {index.Entries.Count} chunks but {payloads.Count} were given.");
        }

        var result = new ReadOnlyMemory<byte>[payloads.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (payloads[i].Length != index.Entries[i].PayloadLength)
            {
                throw new InvalidDataException(
                    $"Chunk {i} has {payloads[i].Length} bytes but the provenance index says {index.Entries[i].PayloadLength}.");
            }

            result[i] = payloads[i];
        }

        return result;
    }

    private protected static void CheckHeader(ProvenanceIndexEntry entry, long firstKey, int keyCount)
    {
        if (firstKey != entry.FirstKey || keyCount != entry.KeyCount)
        {
            throw new InvalidDataException(
                $"Chunk {entry.ChunkIndex} holds keys {firstKey}+{keyCount} but the provenance index says {entry.FirstKey}+{entry.KeyCount}.");
        }
    }

    private static void Write(Stream stream, Crc32 crc, ReadOnlySpan<byte> bytes)
    {
        crc.Append(bytes);
        stream.Write(bytes);
    }

    private ProvenanceChunk[] CreateChunks()
    {
        var chunks = new ProvenanceChunk[_payloads.Length];
        foreach (var entry in Index.Entries)
        {
            chunks[entry.ChunkIndex] = new ProvenanceChunk(entry.ChunkIndex, entry.FirstKey, entry.KeyCount, _payloads[entry.ChunkIndex]);
        }

        return chunks;
    }
}
