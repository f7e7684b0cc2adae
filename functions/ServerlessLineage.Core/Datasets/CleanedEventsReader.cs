using Parquet;
using S = ServerlessLineage.Core.Datasets.DatasetSchemas.CleanedEvents;

namespace ServerlessLineage.Core.Datasets;

/// <summary>Reads the cleaned events dataset one row group at a time, as columns.</summary>
public static class CleanedEventsReader
{
    /// <summary>The columns of one row group. Nullable columns hold null where the dataset has none.</summary>
    public sealed record RowGroup(
        string[] EventId,
        DateTime[] Timestamp,
        string[] Subject,
        string[] SessionId,
        string[] EventType,
        string[] ItemId,
        string?[] Query,
        long?[] DwellMs,
        double?[] Price,
        long[] SourceLine)
    {
        public int Count => Timestamp.Length;
    }

    /// <summary>
    /// Reads every row group. Without <paramref name="includeIdentity"/>, <c>event_id</c> and <c>source_line</c> are not read
    /// (their arrays are empty): a consumer that gets row identity from the row ordinal saves decoding them.
    /// </summary>
    public static async IAsyncEnumerable<RowGroup> ReadAsync(
        Stream input,
        bool includeIdentity = true,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: cancellationToken);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var identity = includeIdentity ? n : 0;
            var rows = new RowGroup(new string[identity], new DateTime[n], new string[n], new string[n], new string[n], new string[n], new string?[n], new long?[n], new double?[n], new long[identity]);
            if (includeIdentity)
            {
                await group.ReadAsync(S.EventId, rows.EventId.AsMemory()!, cancellationToken: cancellationToken);
                await group.ReadAsync<long>(S.SourceLine, rows.SourceLine.AsMemory(), cancellationToken: cancellationToken);
            }

            await group.ReadAsync<DateTime>(S.Timestamp, rows.Timestamp.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync(S.Subject, rows.Subject.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.SessionId, rows.SessionId.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.EventType, rows.EventType.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.ItemId, rows.ItemId.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.Query, rows.Query.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync<long>(S.DwellMs, rows.DwellMs.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<double>(S.Price, rows.Price.AsMemory(), cancellationToken: cancellationToken);
            yield return rows;
        }
    }
}
