using CsCheck;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Tests.Provenance;

/// <summary>Generators for provenance property tests: mostly consecutive lines with random and huge gaps, small sets.</summary>
internal static class ProvenanceGen
{
    /// <summary>Small chunk limits so a few hundred keys already span many chunks and hit the byte limit.</summary>
    public static readonly Gen<ProvenanceChunkOptions> Options = Gen.Frequency(
        (1, Gen.Const(ProvenanceChunkOptions.Default)),
        (3, Gen.Select(Gen.Int[1, 300], Gen.Int[ProvenanceChunkOptions.MinChunkBytes, 400],
            (keys, bytes) => new ProvenanceChunkOptions { MaxKeysPerChunk = keys, MaxChunkBytes = bytes })));

    /// <summary>Like <see cref="Options"/>, with room for the largest generated set (60 ordinals of up to 10 bytes).</summary>
    public static readonly Gen<ProvenanceChunkOptions> SetOptions = Gen.Frequency(
        (1, Gen.Const(ProvenanceChunkOptions.Default)),
        (3, Gen.Select(Gen.Int[1, 300], Gen.Int[700, 1500],
            (keys, bytes) => new ProvenanceChunkOptions { MaxKeysPerChunk = keys, MaxChunkBytes = bytes })));

    private static readonly Gen<long> LineStep = Gen.Frequency(
        (20, Gen.Const(1L)),
        (4, Gen.Long[2, 50]),
        (1, Gen.Long[51, long.MaxValue / 8]));

    private static readonly Gen<long> FirstLine = Gen.Frequency(
        (4, Gen.Long[1, 100]),
        (1, Gen.Long[1, long.MaxValue]));

    /// <summary>Strictly increasing 1-based lines; stops early rather than overflow, so some sequences end near long.MaxValue.</summary>
    public static readonly Gen<long[]> Lines = Gen.Select(FirstLine, LineStep.Array[0, 1500], (first, steps) =>
    {
        var lines = new List<long>(steps.Length + 1);
        if (steps.Length == 0)
        {
            return [];
        }

        var line = first;
        lines.Add(line);
        foreach (var step in steps)
        {
            if (step > long.MaxValue - line)
            {
                break;
            }

            line += step;
            lines.Add(line);
        }

        return lines.ToArray();
    });

    private static readonly Gen<long> OrdinalStep = Gen.Frequency(
        (10, Gen.Long[1, 5]),
        (2, Gen.Long[6, 100_000]),
        (1, Gen.Long[100_001, long.MaxValue / 4]));

    private static readonly Gen<long> FirstOrdinal = Gen.Frequency(
        (4, Gen.Long[0, 10_000]),
        (1, Gen.Long[0, long.MaxValue]));

    /// <summary>A sorted set of distinct non-negative ordinals, often empty or small, sometimes reaching long.MaxValue.</summary>
    public static readonly Gen<long[]> Set = Gen.Select(FirstOrdinal, Gen.Frequency(
        (1, Gen.Const(0)), (6, Gen.Int[1, 6]), (1, Gen.Int[7, 60])), OrdinalStep.Array[60], (first, count, steps) =>
    {
        var set = new List<long>(count);
        var value = first;
        for (var i = 0; i < count; i++)
        {
            set.Add(value);
            if (steps[i] > long.MaxValue - value)
            {
                break;
            }

            value += steps[i];
        }

        return set.ToArray();
    });

    public static readonly Gen<long[][]> Sets = Set.Array[0, 400];

    /// <summary>Sets over a bounded ordinal range, for inversion: (target count, sets).</summary>
    public static readonly Gen<(int TargetCount, long[][] Sets)> BoundedSets = Gen.Int[0, 300].SelectMany(targets =>
        Gen.Int[0, Math.Min(targets, 8)]
            .SelectMany(size => Gen.Long[0, Math.Max(targets - 1, 0)].ArrayUnique[size])
            .Select(values => values.Order().ToArray())
            .Array[0, 300]
            .Select(sets => (targets, sets)));

    public static RowLineMap BuildLines(long[] lines, ProvenanceChunkOptions? options = null)
    {
        var builder = new RowLineMapBuilder(options);
        foreach (var line in lines)
        {
            builder.Add(line);
        }

        return builder.Build();
    }

    public static RowSetMap BuildSets(long[][] sets, ProvenanceChunkOptions? options = null)
    {
        var builder = new RowSetMapBuilder(options);
        foreach (var set in sets)
        {
            builder.Add(set);
        }

        return builder.Build();
    }
}
