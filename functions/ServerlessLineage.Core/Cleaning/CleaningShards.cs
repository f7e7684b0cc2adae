using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Ingest;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>One byte range of an events file, starting at a record boundary, and the line its first record starts on.</summary>
public sealed record CleaningShard
{
    public required int Index { get; init; }

    /// <summary>File offset of the shard's first byte (0 for the first shard, else the start of a record).</summary>
    public required long Offset { get; init; }

    /// <summary>Bytes of the file that belong to the shard: its records and the blank lines after them.</summary>
    public required long Length { get; init; }

    /// <summary>1-based line on which the shard's first record starts (1 for the first shard).</summary>
    public required long FirstLine { get; init; }
}

/// <summary>How an events file is split for cleaning: its format, its header bytes and its shards, in file order.</summary>
public sealed record CleaningShardPlan
{
    /// <summary>Bytes a record may need to look at past its shard's end (see <see cref="RecordReader.OpenShard"/>).</summary>
    public const long LookaheadBytes = BufferedRecordReader.MaxRecordBytes + 2;

    public required string FileName { get; init; }

    public required long FileBytes { get; init; }

    /// <summary>"csv" or "jsonl"; "gzip" for a compressed file, which is cleaned as one shard.</summary>
    public required string Format { get; init; }

    /// <summary>Bytes at the start of the file that every later shard replays to read the CSV header (0 for JSON Lines).</summary>
    public required long HeaderBytes { get; init; }

    public required IReadOnlyList<CleaningShard> Shards { get; init; }

    /// <summary>True for a gzip file: read whole, by one shard.</summary>
    public bool IsCompressed => Format == "gzip";

    /// <summary>
    /// The byte ranges of the file that shard <paramref name="shard"/>'s reader needs, in order: the header bytes (for a later
    /// shard), then the shard with its lookahead, clipped to the file.
    /// </summary>
    public IReadOnlyList<(long Offset, long Length)> RangesFor(CleaningShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (IsCompressed)
        {
            return [(0, FileBytes)];
        }

        var end = Math.Min(FileBytes, shard.Offset + shard.Length + LookaheadBytes);
        return shard.Index == 0 || HeaderBytes == 0
            ? [(shard.Offset, end - shard.Offset)]
            : [(0, HeaderBytes), (shard.Offset, end - shard.Offset)];
    }

    /// <summary>Opens the records of <paramref name="shard"/> over <paramref name="content"/>, the bytes of <see cref="RangesFor"/> concatenated.</summary>
    public RecordReader OpenShard(CleaningShard shard, Stream content)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (IsCompressed)
        {
            return RecordReader.Open(content, FileName, EventFields.All, EventFields.Required);
        }

        var format = Format == "csv" ? SourceFormat.Csv : SourceFormat.JsonLines;
        var header = shard.Index == 0 ? 0 : HeaderBytes;
        return RecordReader.OpenShard(content, FileName, format, header, shard.FirstLine, shard.Length, EventFields.All, EventFields.Required);
    }
}

/// <summary>Splits an events file into shards of about a given size at record boundaries found by the contract's own reader.</summary>
public static class CleaningShardPlanner
{
    /// <summary>
    /// Plans the shards of <paramref name="events"/> (the whole file, <paramref name="fileBytes"/> long): one pass of the record
    /// reader (no validation), cutting a new shard at the first record that starts <paramref name="shardBytes"/> or more after the
    /// current shard's start. Because the cuts are where that reader starts records, quoted line breaks, malformed rows and blank
    /// lines fall exactly as in an unsharded pass. A gzip file, or one not larger than a shard, is one shard. The header is
    /// checked here, so a file that is not the contract fails before anything fans out. The stream is read and closed.
    /// </summary>
    public static CleaningShardPlan Plan(Stream events, string fileName, long fileBytes, long shardBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardBytes, 1);
        using var reader = RecordReader.Open(events, fileName, EventFields.All, EventFields.Required);
        var format = reader.IsCompressed ? "gzip" : reader.Format == SourceFormat.Csv ? "csv" : "jsonl";
        var header = reader is CsvRecordReader csv ? csv.HeaderEndOffset : 0;
        var whole = new CleaningShard { Index = 0, Offset = 0, Length = fileBytes, FirstLine = 1 };
        if (reader.IsCompressed || fileBytes <= shardBytes)
        {
            return new CleaningShardPlan { FileName = fileName, FileBytes = fileBytes, Format = format, HeaderBytes = header, Shards = [whole] };
        }

        var shards = new List<CleaningShard>();
        long start = 0;
        long firstLine = 1;
        var records = 0L; // in the current shard: a shard is never empty (the first one is more than the header)
        while (reader.MoveNext())
        {
            if ((reader.RecordCount & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (records > 0 && reader.RecordOffset - start >= shardBytes)
            {
                shards.Add(new CleaningShard { Index = shards.Count, Offset = start, Length = reader.RecordOffset - start, FirstLine = firstLine });
                start = reader.RecordOffset;
                firstLine = reader.LineNumber;
                records = 0;
            }

            records++;
        }

        shards.Add(new CleaningShard { Index = shards.Count, Offset = start, Length = fileBytes - start, FirstLine = firstLine });
        return new CleaningShardPlan { FileName = fileName, FileBytes = fileBytes, Format = format, HeaderBytes = header, Shards = shards };
    }
}

/// <summary>What one shard's cleaning found; the merge adds these up.</summary>
public sealed record CleaningShardResult
{
    public required int Index { get; init; }

    /// <summary>The records' format: "csv" or "jsonl" (also for a gzip file, whose content it is).</summary>
    public required string Format { get; init; }

    public required long RowsIn { get; init; }

    /// <summary>Rows that passed every rule within the shard (some may still be duplicates of an earlier shard's rows).</summary>
    public required long RowsKept { get; init; }

    public required IReadOnlyDictionary<string, long> QuarantinedByReason { get; init; }

    public required long BlankLines { get; init; }

    /// <summary>Unknown columns or properties, in the order first met (at most 100).</summary>
    public required IReadOnlyList<string> UnknownFields { get; init; }

    public required long SpoolEntries { get; init; }

    /// <summary>Seconds the shard took where it ran (set by the host that ran it).</summary>
    public double Seconds { get; init; }
}
