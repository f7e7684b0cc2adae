using CsCheck;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Tests.Provenance;

public sealed class RowLineMapTests
{
    [Fact]
    public void EnumerateSourceLines_RandomIncreasingLines_ReturnsInputLines() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);

            Assert.Equal(lines.Length, map.Count);
            Assert.Equal(lines, map.EnumerateSourceLines());
        });

    [Fact]
    public void GetSourceLine_EveryOrdinal_EqualsFullDecode() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);
            var decoded = map.EnumerateSourceLines().ToArray();

            for (var ordinal = 0; ordinal < decoded.Length; ordinal++)
            {
                Assert.Equal(decoded[ordinal], map.GetSourceLine(ordinal));
            }
        });

    [Fact]
    public void TryGetOrdinal_LineInMap_ReturnsItsOrdinal() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);

            for (var ordinal = 0; ordinal < lines.Length; ordinal++)
            {
                Assert.True(map.TryGetOrdinal(lines[ordinal], out var found));
                Assert.Equal(ordinal, found);
            }
        });

    [Fact]
    public void TryGetOrdinal_LineNotInMap_ReturnsFalse() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);
            var present = lines.ToHashSet();
            var probes = new List<long> { 0, 1, long.MaxValue, long.MinValue };
            foreach (var line in lines)
            {
                probes.Add(line - 1);
                if (line < long.MaxValue)
                {
                    probes.Add(line + 1);
                }
            }

            foreach (var probe in probes.Where(p => !present.Contains(p)))
            {
                Assert.False(map.TryGetOrdinal(probe, out _), $"line {probe}");
            }
        });

    [Fact]
    public void GetSourceLine_FromChunkPayloadAlone_EqualsMapLookup() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);

            foreach (var chunk in map.Chunks)
            {
                for (var ordinal = chunk.FirstKey; ordinal < chunk.FirstKey + chunk.KeyCount; ordinal++)
                {
                    Assert.Equal(map.GetSourceLine(ordinal), RowLineMap.GetSourceLine(chunk.Payload.Span, ordinal));
                }
            }
        });

    [Fact]
    public void Build_SmallByteLimit_EveryPayloadWithinLimit() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);

            Assert.All(map.Chunks, chunk =>
            {
                Assert.InRange(chunk.Payload.Length, 1, options.MaxChunkBytes);
                Assert.InRange(chunk.KeyCount, 1, options.MaxKeysPerChunk);
            });
        });

    [Fact]
    public void FromChunks_IndexBytesAndPayloads_RoundTrips() =>
        Gen.Select(ProvenanceGen.Lines, ProvenanceGen.Options).Sample((lines, options) =>
        {
            var map = ProvenanceGen.BuildLines(lines, options);
            var index = ProvenanceIndex.Parse(map.Index.ToBytes());

            var restored = RowLineMap.FromChunks(index, map.Chunks.Select(c => c.Payload).ToArray());

            Assert.Equal(lines, restored.EnumerateSourceLines());
        });

    [Theory]
    [InlineData(4096, 1)]
    [InlineData(4097, 2)]
    public void Build_KeysAroundChunkSize_MakesExpectedChunks(int rows, int expectedChunks)
    {
        var lines = Enumerable.Range(0, rows).Select(i => 10L + (3L * i)).ToArray();

        var map = ProvenanceGen.BuildLines(lines);

        Assert.Equal(expectedChunks, map.Chunks.Count);
        Assert.Equal(lines[^1], map.GetSourceLine(rows - 1));
        Assert.True(map.TryGetOrdinal(lines[^1], out var last));
        Assert.Equal(rows - 1, last);
    }

    [Fact]
    public void Build_LinesEndingAtLongMaxValue_RoundTrips()
    {
        long[] lines = [1, 2, long.MaxValue - 2, long.MaxValue - 1, long.MaxValue];

        var map = ProvenanceGen.BuildLines(lines);

        Assert.Equal(lines, map.EnumerateSourceLines());
        Assert.True(map.TryGetOrdinal(long.MaxValue, out var ordinal));
        Assert.Equal(4, ordinal);
    }

    [Fact]
    public void Build_NoRows_HasNoChunks()
    {
        var map = new RowLineMapBuilder().Build();

        Assert.Empty(map.Chunks);
        Assert.False(map.TryGetOrdinal(1, out _));
    }

    [Fact]
    public void GetSourceLine_OrdinalPastEnd_ThrowsArgumentOutOfRange()
    {
        var map = ProvenanceGen.BuildLines([1, 2, 3]);

        Assert.Throws<ArgumentOutOfRangeException>(() => map.GetSourceLine(3));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public void Add_LineNotAbovePrevious_ThrowsArgumentException(long line)
    {
        var builder = new RowLineMapBuilder();
        builder.Add(5);

        Assert.Throws<ArgumentException>(() => builder.Add(line));
    }

    [Fact]
    public void Add_LineZero_ThrowsArgumentOutOfRange()
    {
        var builder = new RowLineMapBuilder();

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(0));
    }

    [Fact]
    public void Add_RejectedLine_LeavesBuilderUnchanged()
    {
        var builder = new RowLineMapBuilder();
        builder.Add(7);
        Assert.Throws<ArgumentException>(() => builder.Add(3));
        builder.Add(8);

        Assert.Equal([7L, 8L], builder.Build().EnumerateSourceLines());
    }

    [Fact]
    public void Add_AfterBuild_ThrowsInvalidOperation()
    {
        var builder = new RowLineMapBuilder();
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Add(1));
    }

    [Fact]
    public void GetSourceLine_RandomPayloadBytes_ThrowsOnlyInvalidDataOrOutOfRange() =>
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            try
            {
                RowLineMap.GetSourceLine(bytes, 0);
                RowLineMap.TryGetOrdinal(bytes, 1, out _);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException)
            {
            }
        });
}
