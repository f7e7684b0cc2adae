using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>
/// A real prepared run (generated events through the data plane) and a synthetic model lineage recorded into Table Storage on
/// Azurite: row traces end to end down to the raw file's lines, answers equal to the in-memory store's, idempotent re-recording,
/// and no raw user id anywhere in the tables.
/// </summary>
[Collection(TestCollections.Azurite)]
public sealed partial class PreparedRunOnTablesTests(AzuriteFixture fixture, PreparedShopLineage shop) : IClassFixture<PreparedShopLineage>, IAsyncLifetime
{
    private const int Timeout = 300_000;

    private readonly TableServiceClient _service = new(fixture.ConnectionString);
    private TableLineageStore _store = null!;
    private InMemoryLineageStore _reference = null!;

    public async Task InitializeAsync()
    {
        _store = new TableLineageStore(_service, new LineageTableOptions { TablePrefix = AzuriteFixture.UniqueTableName("run") });
        await _store.EnsureTablesAsync();
        await shop.RecordAllAsync(_store);
        _reference = await shop.RecordAllAsync(new InMemoryLineageStore());
    }

    public async Task DisposeAsync()
    {
        foreach (var table in _store.Tables.All)
        {
            await _service.DeleteTableAsync(table);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceExampleAsync_TrainingExamples_EndAtRawLinesOfTheSameUser()
    {
        var lines = await File.ReadAllLinesAsync(shop.Data.Generated.EventsPath);
        var pseudonymizer = PreparedShopLineage.CreatePseudonymizer();
        var query = new RowTraceQuery(_store);
        foreach (var ordinal in Enumerable.Range(0, shop.Examples.Count).Where(i => i % 97 == 0))
        {
            var trace = await query.TraceExampleAsync(shop.ExamplesVersion, ordinal);

            var source = Assert.Single(trace.RawLines);
            Assert.NotEmpty(source.Lines);
            foreach (var line in source.Lines)
            {
                // The raw line (1-based, header = line 1) holds the user whose pseudonym the example carries.
                var fields = lines[line - 1].Split(',');
                Assert.Contains(shop.Examples.Subjects[ordinal], fields.Select(f => pseudonymizer.Pseudonymize(f)));
            }
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Queries_TableStore_AnswerExactlyAsTheInMemoryStore()
    {
        var recommendation = shop.SyntheticModel().Recommendations[^1];
        var raw = NodeId.DatasetVersion(shop.Lineage.Cleaning.RawEvents);
        async Task<string[]> AnswersAsync(ILineageStore store)
        {
            var rows = new RowTraceQuery(store);
            object?[] answers =
            [
                await rows.TraceRawLineAsync(raw, 2),
                await rows.TraceRawLineAsync(raw, 40),
                await rows.TraceExampleAsync(shop.ExamplesVersion, 3),
                await rows.ExplainAsync(shop.RootRunId, recommendation.Subject, recommendation.ItemId),
                await new LineageGraphQuery(store).TraverseAsync(raw, TraversalDirection.Both),
                await new RunSummaryQuery(store).GetAsync(shop.RootRunId),
                await new SubjectReportQuery(store, PreparedShopLineage.CreatePseudonymizer()).GetForSubjectAsync(recommendation.Subject),
            ];
            return [.. answers.Select(a => JsonSerializer.Serialize(a, JsonSerializerOptions.Web))];
        }

        Assert.Equal(await AnswersAsync(_reference), await AnswersAsync(_store));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAllAsync_SecondTime_ChangesNothing()
    {
        var before = await CensusAsync();

        await shop.RecordAllAsync(_store);

        Assert.Equal(before, await CensusAsync());
    }

    [Fact(Timeout = Timeout)]
    public async Task ScanAllStringsAsync_AfterARun_FindsNoRawUserId()
    {
        var found = new List<string>();
        var scanned = 0;
        await foreach (var text in _store.ScanAllStringsAsync())
        {
            scanned++;
            found.AddRange(UserId().Matches(text).Select(m => m.Value).Where(shop.RawUserIds.Contains));
        }

        Assert.True(scanned > 1_000, $"the scan read only {scanned} strings");
        Assert.NotEmpty(shop.RawUserIds);
        Assert.Empty(found);
    }

    private async Task<string> CensusAsync()
    {
        var lines = new List<string>();
        foreach (var table in _store.Tables.All)
        {
            await foreach (var entity in _service.GetTableClient(table).QueryAsync<TableEntity>())
            {
                lines.Add($"{table} {entity.PartitionKey} {entity.RowKey} {entity.ETag}");
            }
        }

        return string.Join('\n', lines.Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserId();
}
