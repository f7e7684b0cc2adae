using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Cleaning;

public sealed class EventCleanerTests
{
    private const int Timeout = 30_000;

    private static readonly EventRow Valid = new();

    private static async Task<CleaningRun> CleanOneAsync(EventRow row) => await CleaningRun.CsvAsync([row]);

    private static async Task AssertQuarantinedAsync(EventRow row, ReasonCode reason)
    {
        var run = await CleanOneAsync(row);

        Assert.Equal(0, run.Metrics.RowsClean);
        var quarantined = Assert.Single(run.QuarantineRows);
        Assert.Equal(reason.ToWireName(), quarantined.Reason);
        Assert.Equal(2, quarantined.Line);
        Assert.Equal(1, run.Metrics.QuarantinedByReason[reason.ToWireName()]);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_ValidRow_IsKeptWithItsSourceLine()
    {
        var run = await CleanOneAsync(Valid);

        Assert.Equal((1L, 1L, 0L), (run.Metrics.RowsIn, run.Metrics.RowsClean, run.Metrics.RowsQuarantined));
        Assert.Equal([2L], run.CleanedLines);
        var rows = await run.ReadCleanedAsync();
        Assert.Equal(("e1", "s1", "view", "i1"), (rows.EventId[0], rows.SessionId[0], rows.EventType[0], rows.ItemId[0]));
        Assert.Equal(2, rows.SourceLine[0]);
        Assert.Empty(run.QuarantineRows);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_WrongFieldCount_IsMalformedRow()
    {
        var content = ContractFiles.Utf8(ContractFiles.EventsCsv([]) + "e1,2024-05-01T10:00:00Z,u1\n");

        var run = await CleaningRun.RunAsync(content, "events.csv");

        var row = Assert.Single(run.QuarantineRows);
        Assert.Equal(("MALFORMED_ROW", 2L, "utf8", "e1,2024-05-01T10:00:00Z,u1"), (row.Reason, row.Line, row.RawEncoding, row.Raw));
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_InvalidUtf8Row_IsMalformedWithBase64Raw()
    {
        var content = ContractFiles.Utf8(ContractFiles.EventsCsv([Valid with { Query = "X" }]));
        content[Array.LastIndexOf(content, (byte)'X')] = 0xFE;

        var run = await CleaningRun.RunAsync(content, "events.csv");

        var row = Assert.Single(run.QuarantineRows);
        Assert.Equal(("MALFORMED_ROW", "base64"), (row.Reason, row.RawEncoding));
        var raw = Convert.FromBase64String(row.Raw);
        Assert.Contains((byte)0xFE, raw);
        Assert.DoesNotContain((byte)'\n', raw);
    }

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_EmptyUserId_IsMissingField() => AssertQuarantinedAsync(Valid with { UserId = string.Empty }, ReasonCode.MissingField);

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_BadTimestamp_IsInvalidValue() => AssertQuarantinedAsync(Valid with { Timestamp = "2024-05-01 yesterday" }, ReasonCode.InvalidValue);

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_TimestampWithoutOffset_IsInvalidValue() => AssertQuarantinedAsync(Valid with { Timestamp = "2024-05-01T10:00:00" }, ReasonCode.InvalidValue);

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_UnknownEventType_IsInvalidValue() => AssertQuarantinedAsync(Valid with { EventType = "like" }, ReasonCode.InvalidValue);

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_NegativeDwell_IsInvalidValue() => AssertQuarantinedAsync(Valid with { DwellMs = "-1" }, ReasonCode.InvalidValue);

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_FractionalDwell_IsInvalidValue() => AssertQuarantinedAsync(Valid with { DwellMs = "1.5" }, ReasonCode.InvalidValue);

    [Theory(Timeout = Timeout)]
    [InlineData("-0.01")]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("1,5")]
    public Task CleanAsync_BadPrice_IsInvalidValue(string price) => AssertQuarantinedAsync(Valid with { Price = price }, ReasonCode.InvalidValue);

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_MoreThanOneDayAhead_IsFutureTimestamp() =>
        AssertQuarantinedAsync(Valid with { Timestamp = "2024-06-02T00:00:01Z" }, ReasonCode.FutureTimestamp);

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_ExactlyOneDayAhead_IsKept()
    {
        var run = await CleanOneAsync(Valid with { Timestamp = "2024-06-02T00:00:00Z" });

        Assert.Equal(1, run.Metrics.RowsClean);
    }

    [Fact(Timeout = Timeout)]
    public Task CleanAsync_ItemNotInCatalog_IsUnknownItem() => AssertQuarantinedAsync(Valid with { ItemId = "nope" }, ReasonCode.UnknownItem);

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_RepeatedEventId_SecondIsDuplicateEvent()
    {
        var run = await CleaningRun.CsvAsync([Valid, Valid with { EventType = "click" }]);

        Assert.Equal([2L], run.CleanedLines);
        var row = Assert.Single(run.QuarantineRows);
        Assert.Equal(("DUPLICATE_EVENT", 3L), (row.Reason, row.Line));
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_MissingFieldAndUnknownItem_IsMissingField()
    {
        var run = await CleanOneAsync(Valid with { SessionId = null, ItemId = "nope" });

        Assert.Equal(["MISSING_FIELD"], run.QuarantineReasons);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_InvalidTimestampAndFutureAndUnknownItem_IsInvalidValue()
    {
        var run = await CleanOneAsync(Valid with { Timestamp = "2999-01-01T00:00:00", ItemId = "nope" });

        Assert.Equal(["INVALID_VALUE"], run.QuarantineReasons);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_FutureAndUnknownItem_IsFutureTimestamp()
    {
        var run = await CleanOneAsync(Valid with { Timestamp = "2999-01-01T00:00:00Z", ItemId = "nope" });

        Assert.Equal(["FUTURE_TIMESTAMP"], run.QuarantineReasons);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_DuplicateIdWithUnknownItem_IsUnknownItem()
    {
        var run = await CleaningRun.CsvAsync([Valid, Valid with { ItemId = "nope" }]);

        Assert.Equal(["UNKNOWN_ITEM"], run.QuarantineReasons);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_DuplicateAfterInvalidFirstOccurrence_KeepsTheLaterValidRow()
    {
        var run = await CleaningRun.CsvAsync([Valid with { Timestamp = "bad" }, Valid, Valid]);

        Assert.Equal([3L], run.CleanedLines);
        Assert.Equal(["INVALID_VALUE", "DUPLICATE_EVENT"], run.QuarantineReasons);
        Assert.Equal([2L, 4L], run.QuarantineLineNumbers);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_NoEventPrice_FallsBackToCatalogPrice()
    {
        var run = await CleaningRun.CsvAsync([Valid, Valid with { EventId = "e2", Price = "12.5" }, Valid with { EventId = "e3", ItemId = "i3" }]);

        var rows = await run.ReadCleanedAsync();
        Assert.Equal([49.9, 12.5, null], rows.Price);
        Assert.Equal(["catalog", "event", null!], await run.ReadStringColumnAsync(DatasetSchemas.CleanedEvents.PriceSource));
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_CatalogColumns_AreJoinedIn()
    {
        var run = await CleaningRun.CsvAsync([Valid, Valid with { EventId = "e2", ItemId = "i2" }]);

        Assert.Equal(["shoes", "jackets"], await run.ReadStringColumnAsync(DatasetSchemas.CleanedEvents.Category));
        Assert.Equal(["Acme", null!], await run.ReadStringColumnAsync(DatasetSchemas.CleanedEvents.Brand));
    }

    [Theory(Timeout = Timeout)]
    [InlineData("VIEW", "view")]
    [InlineData("Add_To_Cart", "add_to_cart")]
    [InlineData("PurChase", "purchase")]
    public async Task CleanAsync_EventTypeInAnyCase_IsWrittenLowerCase(string written, string expected)
    {
        var run = await CleanOneAsync(Valid with { EventType = written });

        Assert.Equal(expected, (await run.ReadCleanedAsync()).EventType[0]);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_TimestampWithOffset_IsNormalisedToUtc()
    {
        var run = await CleanOneAsync(Valid with { Timestamp = "2024-05-01T12:30:00.25+02:30" });

        var timestamp = (await run.ReadCleanedAsync()).Timestamp[0];
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, 250, DateTimeKind.Utc).Ticks, timestamp.Ticks);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(128, 1)]
    [InlineData(129, 0)]
    public async Task CleanAsync_EventIdLength_LimitIs128(int length, int clean)
    {
        var run = await CleanOneAsync(Valid with { EventId = new string('e', length) });

        Assert.Equal(clean, run.Metrics.RowsClean);
        Assert.Equal(1 - clean, run.Metrics.QuarantinedByReason["INVALID_VALUE"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_128MultiByteCharacters_IsNotOverLong()
    {
        var run = await CleanOneAsync(Valid with { SessionId = new string('é', 128) });

        Assert.Equal(1, run.Metrics.RowsClean);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(512, 1)]
    [InlineData(513, 0)]
    public async Task CleanAsync_QueryLength_LimitIs512(int length, int clean)
    {
        var run = await CleanOneAsync(Valid with { Query = new string('q', length) });

        Assert.Equal(clean, run.Metrics.RowsClean);
        Assert.Equal(1 - clean, run.Metrics.QuarantinedByReason["INVALID_VALUE"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_EmptyOptionalFields_AreNull()
    {
        var run = await CleanOneAsync(Valid with { Query = string.Empty, DwellMs = string.Empty, Price = string.Empty });

        var rows = await run.ReadCleanedAsync();
        Assert.Equal((null, null), (rows.Query[0], rows.DwellMs[0]));
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_JsonNumbersForDwellAndPrice_AreAccepted()
    {
        var content = ContractFiles.Utf8(ContractFiles.EventsJsonLines([Valid with { DwellMs = "1500", Price = "9.5" }]));

        var run = await CleaningRun.RunAsync(content, "events.jsonl");

        var rows = await run.ReadCleanedAsync();
        Assert.Equal((1500L, 9.5), (rows.DwellMs[0], rows.Price[0]));
        Assert.Equal([1L], run.CleanedLines);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("{\"event_id\":\"e1\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"user_id\":42,\"session_id\":\"s1\",\"event_type\":\"view\",\"item_id\":\"i1\"}", "INVALID_VALUE")]
    [InlineData("{\"event_id\":\"e1\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"user_id\":\"u\",\"session_id\":\"s1\",\"event_type\":true,\"item_id\":\"i1\"}", "INVALID_VALUE")]
    [InlineData("{\"event_id\":\"e1\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"user_id\":\"u\",\"session_id\":\"s1\",\"event_type\":\"view\",\"item_id\":\"i1\",\"dwell_ms\":\"12\"}", "CLEAN")]
    [InlineData("{\"event_id\":\"e1\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"user_id\":null,\"session_id\":\"s1\",\"event_type\":\"view\",\"item_id\":\"i1\"}", "MISSING_FIELD")]
    [InlineData("{\"event_id\":\"e1\",\"timestamp\":1714557600,\"user_id\":\"u\",\"session_id\":\"s1\",\"event_type\":\"view\",\"item_id\":\"i1\"}", "INVALID_VALUE")]
    [InlineData("{\"event_id\":\"e1\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"user_id\":\"u\",\"session_id\":\"s1\",\"event_type\":\"view\",\"item_id\":\"i1\",\"price\":{}}", "INVALID_VALUE")]
    public async Task CleanAsync_JsonValueTypes_AreChecked(string line, string expected)
    {
        var run = await CleaningRun.RunAsync(ContractFiles.Utf8(line + "\n"), "events.jsonl");

        Assert.Equal(expected, run.Metrics.RowsClean == 1 ? "CLEAN" : Assert.Single(run.QuarantineReasons));
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_MixedFile_MetricsBalancePerReason()
    {
        var content = ContractFiles.Utf8(ContractFiles.EventsCsv(
        [
            Valid, Valid, Valid with { EventId = "e2", ItemId = "zz" }, Valid with { EventId = "e3", UserId = null },
            Valid with { EventId = "e4", Query = "multi\nline, \"quoted\"" },
        ]) + "broken\n\n");

        var run = await CleaningRun.RunAsync(content, "events.csv");

        Assert.True(run.Metrics.IsBalanced);
        Assert.Equal((6L, 2L, 4L, 1L), (run.Metrics.RowsIn, run.Metrics.RowsClean, run.Metrics.RowsQuarantined, run.Metrics.BlankLines));
        Assert.Equal(run.Metrics.RowsQuarantined, run.QuarantineRows.Count);
        Assert.Equal([2L, 6L], run.CleanedLines);
        Assert.Equal([3L, 4L, 5L, 8L], run.QuarantineLineNumbers.Take(4));
        Assert.Equal("multi\nline, \"quoted\"", (await run.ReadCleanedAsync()).Query[1]);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_QuarantinedMultiLineRecord_KeepsWholeRawText()
    {
        var raw = "e9,2024-05-01T10:00:00Z,u,s,view,zz,\"a\nb\",,";
        var content = ContractFiles.Utf8(ContractFiles.EventsCsv([]) + raw + "\n");

        var run = await CleaningRun.RunAsync(content, "events.csv");

        var row = Assert.Single(run.QuarantineRows);
        Assert.Equal(("UNKNOWN_ITEM", raw), (row.Reason, row.Raw));
    }
}
