using System.Globalization;
using CsCheck;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Cleaning;

/// <summary>Random corruptions of valid files: cleaning accounts for every row and never fails except on a destroyed header.</summary>
public sealed class CleaningPropertyTests
{
    private const int Iterations = 150;

    internal static readonly Gen<EventRow> Row = Gen.Select(
        Gen.Int[0, 40], Gen.OneOfConst("i1", "i2", "i3", "zz"), Gen.OneOfConst("view", "click", "ADD_TO_CART", "purchase"),
        Gen.OneOfConst<string?>(null, string.Empty, "red shoes", "a, \"quoted\"\nquery", "é"), Gen.Int[-200_000, 100_000], Gen.Int[0, 9],
        (id, item, type, query, seconds, user) => new EventRow
        {
            EventId = "e" + id.ToString(CultureInfo.InvariantCulture),
            Timestamp = CleaningRun.RunStart.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
            UserId = "user" + user.ToString(CultureInfo.InvariantCulture),
            SessionId = "s" + (user % 3).ToString(CultureInfo.InvariantCulture),
            EventType = type,
            ItemId = item,
            Query = query,
            DwellMs = seconds % 3 == 0 ? null : Math.Abs(seconds % 5000).ToString(CultureInfo.InvariantCulture),
            Price = seconds % 4 == 0 ? null : "12.5",
        });

    private static readonly Gen<byte> NoisyByte = Gen.OneOfConst(
        (byte)'"', (byte)',', (byte)'\n', (byte)'\r', (byte)'x', (byte)'{', (byte)'}', (byte)':', (byte)'\\', (byte)' ', (byte)0xFF, (byte)0xC3, (byte)0x80, (byte)0xE2, (byte)0xED);

    private static readonly Gen<int> Operation = Gen.FrequencyConst((4, 0), (3, 1), (4, 2), (1, 3));

    private static readonly Gen<(int Op, int Position, byte Value)[]> Corruptions = Gen.Select(Operation, Gen.Int[0, int.MaxValue], NoisyByte).Array[1, 8];

    internal static readonly Gen<byte[]> CsvFile = Gen.Select(Row.Array[0, 40], Gen.Bool, Corruptions,
        (rows, crlf, corruptions) => Corrupt(ContractFiles.Utf8(ContractFiles.EventsCsv(rows, crlf ? "\r\n" : "\n")), corruptions));

    internal static readonly Gen<byte[]> JsonLinesFile = Gen.Select(Row.Array[0, 40], Corruptions,
        (rows, corruptions) => Corrupt(ContractFiles.Utf8(ContractFiles.EventsJsonLines(rows)), corruptions));

    private static byte[] Corrupt(byte[] content, (int Op, int Position, byte Value)[] corruptions)
    {
        var bytes = new List<byte>(content);
        foreach (var (op, position, value) in corruptions)
        {
            switch (op)
            {
                case 0:
                    bytes.Insert(position % (bytes.Count + 1), value);
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveAt(position % bytes.Count);
                    break;
                case 2 when bytes.Count > 0:
                    bytes[position % bytes.Count] = value;
                    break;
                case 3:
                    bytes.RemoveRange(position % (bytes.Count + 1), bytes.Count - (position % (bytes.Count + 1)));
                    break;
            }
        }

        return [.. bytes];
    }

    private static long PhysicalLines(byte[] content) =>
        content.AsSpan().Count((byte)'\n') + (content.Length > 0 && content[^1] != (byte)'\n' ? 1 : 0);

    /// <summary>Cleans the file and checks the accounting; a DataContractException is allowed only where <paramref name="allowContractError"/> says.</summary>
    private static async Task AssertEveryRowAccountedAsync(byte[] content, string name, Func<bool, bool> allowContractError)
    {
        try
        {
            using var probe = RecordReader.Open(new MemoryStream(content), name, EventFields.All, EventFields.Required);
        }
        catch (DataContractException)
        {
            Assert.True(allowContractError(true));
            return;
        }

        CleaningRun run;
        try
        {
            run = await CleaningRun.RunAsync(content, name);
        }
        catch (DataContractException)
        {
            Assert.True(allowContractError(false), "a DataContractException after the file was opened");
            return;
        }

        var metrics = run.Metrics;
        Assert.True(metrics.IsBalanced);
        Assert.Equal(metrics.RowsIn, metrics.RowsClean + metrics.RowsQuarantined);
        var quarantine = run.QuarantineRows;
        Assert.Equal(metrics.RowsQuarantined, quarantine.Count);
        Assert.Equal(metrics.RowsClean, run.CleanedLines.Count);
        foreach (var reason in ReasonCodes.All.Select(r => r.ToWireName()))
        {
            Assert.Equal(metrics.QuarantinedByReason[reason], quarantine.Count(q => q.Reason == reason));
        }

        var lineCount = PhysicalLines(content);
        var lines = run.CleanedLines.Concat(quarantine.Select(q => q.Line)).ToList();
        Assert.All(lines, l => Assert.InRange(l, 1, lineCount));
        Assert.Equal(lines.Count, lines.Distinct().Count());
        Assert.Equal(run.CleanedLines.Order(), run.CleanedLines);
        Assert.Equal(quarantine.Select(q => q.Line).Order(), quarantine.Select(q => q.Line));
    }

    [Fact(Timeout = 120_000)]
    public Task CleanAsync_CorruptedCsv_AccountsForEveryRow() =>
        CsvFile.SampleAsync(content => AssertEveryRowAccountedAsync(content, "events.csv", atOpen => atOpen), iter: Iterations);

    [Fact(Timeout = 120_000)]
    public Task CleanAsync_CorruptedJsonLines_AccountsForEveryRow() =>
        JsonLinesFile.SampleAsync(content => AssertEveryRowAccountedAsync(content, "events.jsonl", _ => true), iter: Iterations);

    [Fact(Timeout = 120_000)]
    public Task CleanAsync_UncorruptedCsv_QuarantinesUnknownItemsOnlyByRule() =>
        Gen.Select(Row.Array[1, 40], Gen.Bool).SampleAsync(async (rows, crlf) =>
        {
            var run = await CleaningRun.RunAsync(ContractFiles.Utf8(ContractFiles.EventsCsv(rows, crlf ? "\r\n" : "\n")), "events.csv");

            var latest = CleaningRun.RunStart.AddDays(1);
            Assert.Equal(rows.Length, run.Metrics.RowsIn);
            Assert.Equal(0, run.Metrics.QuarantinedByReason["MALFORMED_ROW"]);
            Assert.Equal(rows.Count(r => DateTimeOffset.Parse(r.Timestamp!, CultureInfo.InvariantCulture) > latest), run.Metrics.QuarantinedByReason["FUTURE_TIMESTAMP"]);
            Assert.Equal(
                rows.Count(r => r.ItemId == "zz" && DateTimeOffset.Parse(r.Timestamp!, CultureInfo.InvariantCulture) <= latest),
                run.Metrics.QuarantinedByReason["UNKNOWN_ITEM"]);
        }, iter: Iterations);
}
