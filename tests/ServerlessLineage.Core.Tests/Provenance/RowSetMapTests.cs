using CsCheck;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Tests.Provenance;

public sealed class RowSetMapTests
{
    [Fact]
    public void EnumerateSets_RandomSortedSets_ReturnsInputSets() =>
        Gen.Select(ProvenanceGen.Sets, ProvenanceGen.SetOptions).Sample((sets, options) =>
        {
            var map = ProvenanceGen.BuildSets(sets, options);

            Assert.Equal(sets.Length, map.Count);
            Assert.Equal(sets, map.EnumerateSets());
        });

    [Fact]
    public void GetOrdinals_EveryKey_EqualsFullDecode() =>
        Gen.Select(ProvenanceGen.Sets, ProvenanceGen.SetOptions).Sample((sets, options) =>
        {
            var map = ProvenanceGen.BuildSets(sets, options);

            var decoded = map.EnumerateSets().ToArray();
            for (var key = 0; key < decoded.Length; key++)
            {
                Assert.Equal(decoded[key], map.GetOrdinals(key));
            }
        });

    [Fact]
    public void GetOrdinals_FromChunkPayloadAlone_EqualsMapLookup() =>
        ProvenanceGen.Sets.Sample(sets =>
        {
            var map = ProvenanceGen.BuildSets(sets, new ProvenanceChunkOptions { MaxKeysPerChunk = 37 });

            foreach (var chunk in map.Chunks)
            {
                for (var key = chunk.FirstKey; key < chunk.FirstKey + chunk.KeyCount; key++)
                {
                    Assert.Equal(map.GetOrdinals(key), RowSetMap.GetOrdinals(chunk.Payload.Span, key));
                }
            }
        });

    [Fact]
    public void Build_SmallByteLimit_EveryPayloadWithinLimit() =>
        Gen.Select(ProvenanceGen.Sets, ProvenanceGen.SetOptions).Sample((sets, options) =>
        {
            var map = ProvenanceGen.BuildSets(sets, options);

            Assert.All(map.Chunks, chunk =>
            {
                Assert.InRange(chunk.Payload.Length, 1, options.MaxChunkBytes);
                Assert.InRange(chunk.KeyCount, 1, options.MaxKeysPerChunk);
            });
        });

    [Fact]
    public void FromChunks_IndexBytesAndPayloads_RoundTrips() =>
        ProvenanceGen.Sets.Sample(sets =>
        {
            var map = ProvenanceGen.BuildSets(sets, new ProvenanceChunkOptions { MaxKeysPerChunk = 50 });
            var index = ProvenanceIndex.Parse(map.Index.ToBytes());

            var restored = RowSetMap.FromChunks(index, map.Chunks.Select(c => c.Payload).ToArray());

            Assert.Equal(sets, restored.EnumerateSets());
        });

    [Theory]
    [InlineData(4096, 1)]
    [InlineData(4097, 2)]
    public void Build_KeysAroundChunkSize_MakesExpectedChunks(int keys, int expectedChunks)
    {
        var sets = Enumerable.Range(0, keys).Select(i => new long[] { i, i + 1L, i + 7L }).ToArray();

        var map = ProvenanceGen.BuildSets(sets);

        Assert.Equal(expectedChunks, map.Chunks.Count);
        Assert.Equal(sets[^1], map.GetOrdinals(keys - 1));
    }

    [Fact]
    public void Add_SetLargerThanChunkLimit_ThrowsArgumentException()
    {
        var builder = new RowSetMapBuilder(new ProvenanceChunkOptions { MaxChunkBytes = 64 });
        var set = Enumerable.Range(0, 100).Select(i => i * 1000L).ToArray();

        Assert.Throws<ArgumentException>(() => builder.Add(set));
    }

    [Theory]
    [InlineData(new long[] { 3, 2 })]
    [InlineData(new long[] { 2, 2 })]
    [InlineData(new long[] { -1, 2 })]
    public void Add_NotStrictlyIncreasingNonNegative_ThrowsArgumentException(long[] set)
    {
        var builder = new RowSetMapBuilder();

        Assert.Throws<ArgumentException>(() => builder.Add(set));
    }

    [Fact]
    public void Invert_RandomSets_EqualsNaiveInverse() =>
        // An inverse set can hold every key (hundreds of ordinals), so the chunk must have room for it.
        Gen.Select(ProvenanceGen.BoundedSets, Gen.Int[1, 40], ProvenanceGen.Options.Select(o => o with { MaxChunkBytes = Math.Max(o.MaxChunkBytes, 4096) }))
            .Sample((input, bufferOrdinals, options) =>
        {
            var (targetCount, sets) = input;
            var map = ProvenanceGen.BuildSets(sets);

            var inverse = map.Invert(targetCount, options, bufferOrdinals);

            var expected = Enumerable.Range(0, targetCount)
                .Select(target => Enumerable.Range(0, sets.Length).Where(key => sets[key].Contains(target)).Select(k => (long)k).ToArray());
            Assert.Equal(expected, inverse.EnumerateSets());
        });

    [Fact]
    public void Invert_Twice_ReturnsOriginalSets() =>
        ProvenanceGen.BoundedSets.Sample(input =>
        {
            var (targetCount, sets) = input;
            var map = ProvenanceGen.BuildSets(sets);

            var twice = map.Invert(targetCount).Invert(sets.Length);

            Assert.Equal(sets, twice.EnumerateSets());
        });

    [Fact]
    public void Invert_OrdinalOutsideTargets_ThrowsArgumentException()
    {
        var map = ProvenanceGen.BuildSets([[0, 5]]);

        Assert.Throws<ArgumentException>(() => map.Invert(5));
    }

    [Fact]
    public void GetOrdinals_RandomPayloadBytes_ThrowsOnlyInvalidDataOrOutOfRange() =>
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            try
            {
                RowSetMap.GetOrdinals(bytes, 0);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException)
            {
            }
        });
}
