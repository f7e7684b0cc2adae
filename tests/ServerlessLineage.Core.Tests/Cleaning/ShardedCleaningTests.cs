using System.Text;
using System.Text.Json;
using CsCheck;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Cleaning;

/// <summary>
/// Sharded cleaning is an exact replacement for one pass: for any file and any shard size, the cleaned dataset, catalog and
/// quarantine are the same bytes, and the metrics, row provenance (source line of every cleaned row) and input hash are equal.
/// </summary>
public sealed class ShardedCleaningTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sharded-cleaning-").FullName;
    private int _runs;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly byte[] Catalog = ContractFiles.Utf8(ContractFiles.CatalogCsv(
    [
        new CatalogRow { ItemId = "i1" },
        new CatalogRow { ItemId = "i2", Title = "Blue denim jacket", Category = "jackets", Brand = null, Price = "80" },
        new CatalogRow { ItemId = "i3", Title = "Wool winter hat", Category = "hats", Brand = "Knit", Price = null },
        new CatalogRow { ItemId = null },
    ]));

    [Fact(Timeout = 180_000)]
    public Task CorruptedCsv_AnyShardSize_SameOutputsAsOnePass() =>
        Gen.Select(CleaningPropertyTests.CsvFile, Gen.Int[1, 400]).SampleAsync((content, shardBytes) => AssertSameAsOnePassAsync(content, "events.csv", shardBytes), iter: 100);

    [Fact(Timeout = 180_000)]
    public Task CorruptedJsonLines_AnyShardSize_SameOutputsAsOnePass() =>
        Gen.Select(CleaningPropertyTests.JsonLinesFile, Gen.Int[1, 400]).SampleAsync((content, shardBytes) => AssertSameAsOnePassAsync(content, "events.jsonl", shardBytes), iter: 100);

    [Fact(Timeout = 180_000)]
    public Task DuplicatesAcrossShards_FirstValidOccurrenceInTheFileIsKept() =>
        Gen.Select(CleaningPropertyTests.Row.Array[2, 30], Gen.Int[1, 300]).SampleAsync(async (rows, shardBytes) =>
        {
            // Every row twice, the copies after all originals: each copy's original is in an earlier shard for most shard sizes.
            var content = ContractFiles.Utf8(ContractFiles.EventsCsv([.. rows, .. rows]));
            var sharded = await AssertSameAsOnePassAsync(content, "events.csv", shardBytes);
            Assert.True(sharded.Outcome.EventMetrics.QuarantinedByReason["DUPLICATE_EVENT"] >= rows.Length - rows.DistinctBy(r => r.EventId).Count());
        }, iter: 60);

    [Theory(Timeout = 180_000)]
    [InlineData("csv", 1)]
    [InlineData("csv", 4_096)]
    [InlineData("csv", 50_000)]
    [InlineData("jsonl", 3_000)]
    public async Task GeneratedShopData_WithEveryDefect_SameOutputsAsOnePass(string format, int shardBytes)
    {
        var data = Path.Combine(_folder, "generated-" + format);
        var options = new ServerlessLineage.Core.Generation.GeneratorOptions { Events = 3_000, Seed = 11, BadShare = 0.05, Format = format == "csv" ? ServerlessLineage.Core.Generation.EventFileFormat.Csv : ServerlessLineage.Core.Generation.EventFileFormat.JsonLines };
        var files = ServerlessLineage.Core.Generation.ShopDataGenerator.Generate(options, data);
        var content = await File.ReadAllBytesAsync(files.EventsPath);

        var (outcome, _) = await AssertSameAsOnePassAsync(
            content, Path.GetFileName(files.EventsPath), shardBytes, await File.ReadAllBytesAsync(files.CatalogPath), options.Start.AddDays(options.Days + 1));

        Assert.True(outcome.Shards > 1);
        Assert.True(outcome.EventMetrics.QuarantinedByReason.Values.All(count => count > 0), "every reason code is exercised");
    }

    [Fact(Timeout = 60_000)]
    public async Task RecordsLongerThanTheLimit_NearShardEnds_AreJudgedAsInOnePass()
    {
        // A 1.5 MiB quoted field, an unterminated quote before a long tail, and a long JSON line: the records around them decide
        // by looking past a shard's end, so the shards must read ahead exactly as far as one pass does.
        var longText = new string('x', BufferedRecordReader.MaxRecordBytes + 500_000);
        var good = new EventRow { EventId = "a1", ItemId = "i1" };
        var csv = new StringBuilder(ContractFiles.EventsCsv([good, good with { EventId = "a2", Query = longText }, good with { EventId = "a3" }]))
            .Append("a4,2024-05-01T00:00:00Z,u,s,view,i1,\"open quote\n") // judged on the 1 MiB after it: "longer than 1 MiB"
            .Append(new string('y', BufferedRecordReader.MaxRecordBytes + 200_000)).Append('\n')
            .Append(string.Join("\n", Enumerable.Range(0, 50).Select(i => $"b{i},2024-05-01T00:00:00Z,u,s,view,i2,,,")))
            .Append('\n')
            .ToString();
        foreach (var shardBytes in new[] { 1, 100, 300, 1_000_000, 1_600_000 })
        {
            await AssertSameAsOnePassAsync(ContractFiles.Utf8(csv), "events.csv", shardBytes);
        }

        var jsonl = ContractFiles.EventsJsonLines([good, good with { EventId = "a2", Query = longText }, good with { EventId = "a3" }]);
        foreach (var shardBytes in new[] { 1, 50, 1_000_000 })
        {
            await AssertSameAsOnePassAsync(ContractFiles.Utf8(jsonl), "events.jsonl", shardBytes);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task GzipFile_IsOneShard_AndCleansAsOnePass()
    {
        var rows = Enumerable.Range(0, 200).Select(i => new EventRow { EventId = "e" + i, ItemId = i % 7 == 0 ? "zz" : "i1" });
        var content = ContractFiles.Gzip(ContractFiles.Utf8(ContractFiles.EventsCsv(rows)));

        var (outcome, _) = await AssertSameAsOnePassAsync(content, "events.csv.gz", shardBytes: 64);

        Assert.Equal(1, outcome.Shards);
    }

    [Fact]
    public void Plan_CutsAtRecordStarts_WithTheirLineNumbers()
    {
        var content = ContractFiles.Utf8("\uFEFFevent_id,timestamp,user_id,session_id,event_type,item_id,query,dwell_ms,price\n"
            + "e1,2024-05-01T00:00:00Z,u,s,view,i1,\"two\nlines\",,\n"
            + "\n"
            + "e2,2024-05-01T00:00:00Z,u,s,view,i1,,,\n"
            + "e3,2024-05-01T00:00:00Z,u,s,view,i1,,,\n");

        var plan = CleaningShardPlanner.Plan(new MemoryStream(content), "events.csv", content.Length, shardBytes: 1);

        Assert.Equal("csv", plan.Format);
        Assert.Equal(Encoding.UTF8.GetByteCount("\uFEFFevent_id,timestamp,user_id,session_id,event_type,item_id,query,dwell_ms,price\n"), plan.HeaderBytes);
        // The two-line record and the blank line stay in the first shard; every later shard starts at a record.
        Assert.Equal([1L, 5, 6], plan.Shards.Select(s => s.FirstLine));
        Assert.Equal(content.Length, plan.Shards.Sum(s => s.Length));
        Assert.Equal([(byte)'2', (byte)'3'], plan.Shards.Skip(1).Select(s => content[s.Offset + 1]));
        Assert.Equal(0, plan.Shards[0].Offset);
    }

    [Fact]
    public void Plan_NotTheContract_FailsBeforeAnythingFansOut()
    {
        var content = ContractFiles.Utf8("id,when\n1,2\n");

        Assert.Throws<DataContractException>(() => CleaningShardPlanner.Plan(new MemoryStream(content), "events.csv", content.Length, shardBytes: 1));
    }

    [Fact]
    public async Task Merge_SpoolThatDoesNotMatchItsResult_Fails()
    {
        var content = ContractFiles.Utf8(ContractFiles.EventsCsv([new EventRow { EventId = "e1" }, new EventRow { EventId = "e2" }]));
        var plan = CleaningShardPlanner.Plan(new MemoryStream(content), "events.csv", content.Length, shardBytes: 1_000);
        var spool = new MemoryStream();
        CleaningShardResult result;
        using (var reader = plan.OpenShard(plan.Shards[0], new MemoryStream(content)))
        using (var writer = new CleaningSpoolWriter(new NonClosingStream(spool)))
        {
            var cleaner = new EventCleaner(ContractFiles.DefaultCatalog(), new Pseudonymizer(CleaningRun.Secret), new CleaningOptions { RunStartedAt = CleaningRun.RunStart });
            result = await cleaner.CleanShardAsync(reader, 0, writer);
        }

        await using var output = await ServerlessLineage.Core.Datasets.CleanedEventsWriter.CreateAsync(new MemoryStream());
        using var quarantine = new ServerlessLineage.Core.Datasets.QuarantineWriter(new MemoryStream());
        var merge = new CleaningShardMerge("events.csv", output, quarantine);
        var truncated = spool.ToArray()[..^5];

        await Assert.ThrowsAsync<InvalidDataException>(() => merge.AddShardAsync(result, new CleaningSpoolReader(new MemoryStream(truncated), "shard-0")));
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            new CleaningShardMerge("events.csv", output, quarantine).AddShardAsync(result with { RowsKept = 1 }, new CleaningSpoolReader(new MemoryStream(spool.ToArray()), "shard-0")));
    }

    /// <summary>Cleans <paramref name="content"/> once whole and once sharded, and asserts every output is the same.</summary>
    private async Task<(CleaningOutcome Outcome, bool Failed)> AssertSameAsOnePassAsync(
        byte[] content, string name, int shardBytes, byte[]? catalog = null, DateTimeOffset? runStart = null)
    {
        var startedAt = runStart ?? CleaningRun.RunStart;
        var run = Interlocked.Increment(ref _runs);
        var input = Path.Combine(_folder, $"in-{run}");
        Directory.CreateDirectory(input);
        var events = ContractFiles.WriteFile(input, name, content);
        var catalogPath = ContractFiles.WriteFile(input, "catalog.csv", catalog ?? Catalog);
        var service = new PrepareService(new Pseudonymizer(CleaningRun.Secret));

        var wholeOut = Directory.CreateDirectory(Path.Combine(_folder, $"whole-{run}")).FullName;
        var shardedOut = Directory.CreateDirectory(Path.Combine(_folder, $"sharded-{run}")).FullName;
        CleaningOutcome whole;
        try
        {
            whole = await service.CleanAsync(events, catalogPath, wholeOut, startedAt);
        }
        catch (DataContractException expected)
        {
            var error = await Assert.ThrowsAsync<DataContractException>(() =>
                service.CleanAsync(events, catalogPath, shardedOut, startedAt, sharding: new CleaningSharding { ShardBytes = shardBytes, MaxParallelism = 2 }));
            Assert.Equal(expected.Message, error.Message);
            return (null!, true);
        }

        var sharded = await service.CleanAsync(events, catalogPath, shardedOut, startedAt, sharding: new CleaningSharding { ShardBytes = shardBytes, MaxParallelism = 2 });

        foreach (var file in new[] { PrepareFiles.CleanedEvents, PrepareFiles.Quarantine, PrepareFiles.Catalog })
        {
            var expected = await File.ReadAllBytesAsync(Path.Combine(wholeOut, file));
            var actual = await File.ReadAllBytesAsync(Path.Combine(shardedOut, file));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{file} differs with {sharded.Shards} shards of {shardBytes} bytes");
        }

        Assert.Equal(JsonSerializer.Serialize(whole.EventMetrics), JsonSerializer.Serialize(sharded.EventMetrics));
        Assert.Equal(JsonSerializer.Serialize(whole.CatalogMetrics), JsonSerializer.Serialize(sharded.CatalogMetrics));
        Assert.Equal(whole.EventLines.EnumerateSourceLines(), sharded.EventLines.EnumerateSourceLines());
        Assert.Equal(whole.EventsSha256, sharded.EventsSha256);
        return (sharded, false);
    }

    private sealed class NonClosingStream(Stream inner) : ServerlessLineage.Core.IO.ReadOnlyStream
    {
        public override bool CanWrite => true;

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
