using CsCheck;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Tests.Provenance;

public sealed class ProvenanceFileTests
{
    private static readonly ProvenanceChunkOptions SmallChunks = new() { MaxKeysPerChunk = 16 };

    [Fact]
    public void ReadFrom_WrittenLineMap_RoundTrips() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);

            var restored = RowLineMap.ReadFrom(new MemoryStream(map.ToBytes()));

            Assert.Equal(lines, restored.EnumerateSourceLines());
            Assert.Equal(map.Index.Entries, restored.Index.Entries);
        });

    [Fact]
    public void ReadFrom_WrittenSetMap_RoundTrips() =>
        ProvenanceGen.Sets.Sample(sets =>
        {
            var map = ProvenanceGen.BuildSets(sets, SmallChunks);

            var restored = RowSetMap.ReadFrom(new MemoryStream(map.ToBytes()));

            Assert.Equal(sets, restored.EnumerateSets());
        });

    [Fact]
    public void GetSize_TotalBytes_EqualsFileLength()
    {
        var map = LineMap();

        Assert.Equal(map.ToBytes().Length, map.GetSize().TotalBytes);
    }

    [Fact]
    public void ReadFrom_BadMagic_ThrowsInvalidData()
    {
        var bytes = LineMap().ToBytes();
        bytes[0] = (byte)'X';

        var error = Assert.Throws<InvalidDataException>(() => RowLineMap.ReadFrom(new MemoryStream(bytes)));
        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrom_UnsupportedVersion_ThrowsInvalidDataNamingVersion()
    {
        var bytes = LineMap().ToBytes();
        bytes[4] = 9;

        var error = Assert.Throws<InvalidDataException>(() => RowLineMap.ReadFrom(new MemoryStream(bytes)));
        Assert.Contains("version 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrom_SetFileAsLineMap_ThrowsInvalidData()
    {
        var bytes = ProvenanceGen.BuildSets([[1, 2]]).ToBytes();

        Assert.Throws<InvalidDataException>(() => RowLineMap.ReadFrom(new MemoryStream(bytes)));
    }

    [Fact]
    public void ReadFrom_EveryTruncation_ThrowsInvalidData()
    {
        var bytes = LineMap().ToBytes();

        for (var length = 0; length < bytes.Length; length++)
        {
            var truncated = new MemoryStream(bytes, 0, length);
            Assert.Throws<InvalidDataException>(() => RowLineMap.ReadFrom(truncated));
        }
    }

    [Fact]
    public void ReadFrom_AnyFlippedByte_ThrowsInvalidData()
    {
        var bytes = ProvenanceGen.BuildSets([[1, 2, 9], [], [4]], SmallChunks).ToBytes();

        for (var position = 0; position < bytes.Length; position++)
        {
            var corrupted = (byte[])bytes.Clone();
            corrupted[position] ^= 0x10;
            Assert.Throws<InvalidDataException>(() => RowSetMap.ReadFrom(new MemoryStream(corrupted)));
        }
    }

    [Fact]
    public void ReadFrom_TrailingBytes_ThrowsInvalidData()
    {
        var bytes = LineMap().ToBytes().Concat(new byte[] { 0 }).ToArray();

        Assert.Throws<InvalidDataException>(() => RowLineMap.ReadFrom(new MemoryStream(bytes)));
    }

    [Fact]
    public void FromChunks_PayloadsSwapped_ThrowsInvalidData()
    {
        var map = ProvenanceGen.BuildLines([1, 2, 3, 10, 11], new ProvenanceChunkOptions { MaxKeysPerChunk = 2 });
        var payloads = map.Chunks.Select(c => c.Payload).ToArray();
        (payloads[0], payloads[1]) = (payloads[1], payloads[0]);

        Assert.Throws<InvalidDataException>(() => RowLineMap.FromChunks(map.Index, payloads));
    }

    [Fact]
    public void Parse_TruncatedIndex_ThrowsInvalidData()
    {
        var index = LineMap().Index.ToBytes();

        Assert.Throws<InvalidDataException>(() => ProvenanceIndex.Parse(index.AsSpan(0, index.Length - 1)));
    }

    private static RowLineMap LineMap() =>
        ProvenanceGen.BuildLines([1, 2, 3, 7, 8, 20, 21, 22, 23, 1000, 1001], new ProvenanceChunkOptions { MaxKeysPerChunk = 4 });
}
