using Parquet;
using S = ServerlessLineage.Core.Examples.ExamplesSchema;

namespace ServerlessLineage.Core.Examples;

/// <summary>Reads an examples Parquet file written by <see cref="ExampleBuilder"/> into an <see cref="ExampleTable"/>.</summary>
public static class ExamplesReader
{
    public static async Task<ExampleTable> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        return await ReadAsync(stream, cancellationToken);
    }

    public static async Task<ExampleTable> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: cancellationToken);
        var missing = S.Schema.GetDataFields().Select(f => f.Path.ToString()).Except(reader.Schema.GetDataFields().Select(f => f.Path.ToString())).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"Not an examples dataset: missing columns {string.Join(", ", missing)}.");
        }

        var total = 0L;
        var length = -1;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            total += group.RowCount;
            var values = group.GetMetadata(S.InputIdsElement)?.MetaData?.NumValues ?? 0;
            if (group.RowCount > 0)
            {
                var groupLength = checked((int)(values / group.RowCount));
                if (groupLength * group.RowCount != values || (length >= 0 && groupLength != length))
                {
                    throw new InvalidDataException("The examples' token sequences are not all padded to one length.");
                }

                length = groupLength;
            }
        }

        var table = new ExampleTable(checked((int)total), Math.Max(length, 0));
        var offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            if (n == 0)
            {
                continue;
            }

            await group.ReadAsync<long>(S.ExampleId, table.ExampleIds.AsMemory(offset, n), cancellationToken: cancellationToken);
            await group.ReadAsync(S.Split, table.Splits.AsMemory(offset, n)!, cancellationToken: cancellationToken);
            await group.ReadAsync<int>(S.Label, table.Labels.AsMemory(offset, n), cancellationToken: cancellationToken);
            await group.ReadAsync<DateTime>(S.Timestamp, table.Timestamps.AsMemory(offset, n), cancellationToken: cancellationToken);
            await group.ReadAsync(S.Subject, table.Subjects.AsMemory(offset, n)!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.SessionId, table.SessionIds.AsMemory(offset, n)!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.ItemId, table.ItemIds.AsMemory(offset, n)!, cancellationToken: cancellationToken);
            await group.ReadAsync<int>(S.Position, table.Positions.AsMemory(offset, n), cancellationToken: cancellationToken);
            await group.ReadAsync(S.ContextText, table.ContextTexts.AsMemory(offset, n)!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.ItemText, table.ItemTexts.AsMemory(offset, n)!, cancellationToken: cancellationToken);

            var tokens = n * length;
            var definitions = new int[tokens];
            var repetitions = new int[tokens];
            await ReadTokensAsync(group, S.InputIdsElement, table.InputIds.AsMemory(offset * length, tokens), definitions, repetitions, length, cancellationToken);
            await ReadTokensAsync(group, S.AttentionMaskElement, table.AttentionMask.AsMemory(offset * length, tokens), definitions, repetitions, length, cancellationToken);
            await ReadTokensAsync(group, S.TokenTypeIdsElement, table.TokenTypeIds.AsMemory(offset * length, tokens), definitions, repetitions, length, cancellationToken);

            var column = new float[n];
            for (var f = 0; f < S.Features.Length; f++)
            {
                await group.ReadAsync<float>(S.Features[f], column.AsMemory(), cancellationToken: cancellationToken);
                for (var i = 0; i < n; i++)
                {
                    table.Features[((offset + i) * ExampleFeatures.Count) + f] = column[i];
                }
            }

            offset += n;
        }

        return table;
    }

    private static async Task ReadTokensAsync(
        ParquetRowGroupReader group, Parquet.Schema.DataField field, Memory<int> values, int[] definitions, int[] repetitions, int length, CancellationToken cancellationToken)
    {
        await group.ReadRawAsync<int>(field, values, definitions.AsMemory(0, values.Length), repetitions.AsMemory(0, values.Length), cancellationToken);
        for (var i = 0; i < values.Length; i++)
        {
            // A new row starts exactly every `length` values (repetition level 0), and no element is missing.
            if ((repetitions[i] == 0) != (i % length == 0) || definitions[i] != field.MaxDefinitionLevel)
            {
                throw new InvalidDataException($"Column {field.Path} is not a list of exactly {length} values per row (at value {i}).");
            }
        }
    }
}
