using System.Globalization;
using System.Text;
using System.Text.Json;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Generation;

namespace ServerlessLineage.Core.Tests.Generation;

public sealed class GroundTruthBadRowTests
{
    private static readonly GeneratorOptions Options = new() { Events = 3_000, Seed = 11, BadShare = 0.05 };

    public static TheoryData<EventFileFormat> Formats => [EventFileFormat.Csv, EventFileFormat.JsonLines];

    [Theory]
    [MemberData(nameof(Formats))]
    public void BadRows_EveryKindOfTheFormat_Appears(EventFileFormat format)
    {
        var data = GeneratedData.Create(Options with { Format = format });

        var expected = ReasonCodes.All.SelectMany(r => BadRowKinds.For(format, r)).ToHashSet();
        var actual = data.Truth.BadRows.Select(b => b.BadRowKind).ToHashSet();
        Assert.Equal(expected.Order(), actual.Order());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void BadRows_ReasonMatchesKind(EventFileFormat format)
    {
        var data = GeneratedData.Create(Options with { Format = format });

        Assert.All(data.Truth.BadRows, b => Assert.Equal(b.BadRowKind.Reason(), b.ReasonCode));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void BadRows_DeclaredLine_HasTheDeclaredDefect(EventFileFormat format)
    {
        var data = GeneratedData.Create(Options with { Format = format });
        var csv = data.IsCsv;

        foreach (var bad in data.Truth.BadRows)
        {
            var bytes = data.Line(bad.Line);
            var context = $"line {bad.Line} ({bad.Kind})";
            if (bad.BadRowKind == BadRowKind.InvalidUtf8)
            {
                Assert.Contains((byte)0xFF, bytes);
                Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
                continue;
            }

            var text = Encoding.UTF8.GetString(bytes);
            switch (bad.BadRowKind)
            {
                case BadRowKind.FieldCountShort:
                    Assert.True(text.Split(',').Length == EventFields.All.Count - 1, context);
                    break;
                case BadRowKind.FieldCountLong:
                    Assert.True(text.Split(',').Length == EventFields.All.Count + 1, context);
                    break;
                case BadRowKind.StrayQuote:
                    Assert.True(csv ? IsStrayQuoteCsv(text) : !IsJson(text), context);
                    break;
                case BadRowKind.InvalidJson:
                    Assert.False(IsJson(text), context);
                    break;
                case BadRowKind.EmptyField:
                    Assert.Equal(string.Empty, Read(text, csv)[bad.Field!]);
                    Assert.Contains(bad.Field!, EventFields.Required);
                    break;
                case BadRowKind.AbsentField:
                    Assert.Null(Read(text, csv)[bad.Field!]);
                    Assert.Contains(bad.Field!, EventFields.Required);
                    break;
                case BadRowKind.BadTimestamp:
                    Assert.False(DateTimeOffset.TryParse(Read(text, csv)[EventFields.Timestamp], CultureInfo.InvariantCulture, DateTimeStyles.None, out _), context);
                    break;
                case BadRowKind.NegativeDwell:
                    Assert.True(int.Parse(Read(text, csv)[EventFields.DwellMs]!, CultureInfo.InvariantCulture) < 0, context);
                    break;
                case BadRowKind.NegativePrice:
                    Assert.True(decimal.Parse(Read(text, csv)[EventFields.Price]!, CultureInfo.InvariantCulture) < 0, context);
                    break;
                case BadRowKind.UnknownEventType:
                    Assert.False(EventTypes.TryParse(Read(text, csv)[EventFields.EventType], out _), context);
                    break;
                case BadRowKind.OverlongId:
                    Assert.True(Read(text, csv)[bad.Field!]!.Length > EventFields.MaxIdLength, context);
                    break;
                case BadRowKind.OverlongQuery:
                    Assert.True(Read(text, csv)[EventFields.Query]!.Length > EventFields.MaxQueryLength, context);
                    break;
                case BadRowKind.FarFuture:
                    Assert.True(DateTimeOffset.Parse(Read(text, csv)[EventFields.Timestamp]!, CultureInfo.InvariantCulture).Year >= 2100, context);
                    break;
                case BadRowKind.UnknownItem:
                    Assert.DoesNotContain(Read(text, csv)[EventFields.ItemId]!, data.CatalogIds);
                    break;
                case BadRowKind.ExactCopy:
                    Assert.True(bad.DuplicateOfLine < bad.Line, context);
                    Assert.Equal(data.Line(bad.DuplicateOfLine!.Value), bytes);
                    Assert.Equal(bad.EventId, Read(text, csv)[EventFields.EventId]);
                    break;
                default:
                    Assert.Fail($"{context}: unexpected kind");
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void BadRows_OtherThanTheirDefect_AreValidAndUnique(EventFileFormat format)
    {
        var data = GeneratedData.Create(Options with { Format = format });
        var csv = data.IsCsv;
        var goodIds = data.GoodLines().Select(l => EventLineReader.Read(l.Text, csv)[EventFields.EventId]!).ToHashSet();
        var goodLines = data.GoodLines().Select(l => l.Line).ToHashSet();
        var readable = data.Truth.BadRows.Where(b => b.ReasonCode is not ReasonCode.MalformedRow and not ReasonCode.DuplicateEvent);

        foreach (var bad in readable)
        {
            var row = Read(Encoding.UTF8.GetString(data.Line(bad.Line)), csv);
            var eventId = row[EventFields.EventId];
            Assert.False(!string.IsNullOrEmpty(eventId) && goodIds.Contains(eventId), $"line {bad.Line} reuses a good event id");
            if (bad.ReasonCode is ReasonCode.FutureTimestamp or ReasonCode.UnknownItem)
            {
                Assert.True(EventTypes.TryParse(row[EventFields.EventType], out _));
                Assert.All(EventFields.Required, f => Assert.False(string.IsNullOrEmpty(row[f])));
            }

            if (bad.ReasonCode is not ReasonCode.UnknownItem && row[EventFields.ItemId] is { Length: > 0 and <= EventFields.MaxIdLength } item)
            {
                Assert.Contains(item, data.CatalogIds);
            }
        }

        Assert.All(data.Truth.BadRows.Where(b => b.DuplicateOfLine is not null), b => Assert.Contains(b.DuplicateOfLine!.Value, goodLines));
    }

    private static Dictionary<string, string?> Read(string text, bool csv)
    {
        if (!csv)
        {
            return EventLineReader.Read(text, csv: false);
        }

        var parts = text.Split(',');
        Assert.Equal(EventFields.All.Count, parts.Length);
        return EventFields.All.Select((f, i) => (f, parts[i])).ToDictionary(p => p.f, p => (string?)p.Item2, StringComparer.Ordinal);
    }

    private static bool IsStrayQuoteCsv(string text) =>
        text.Split(',').Any(field => field.Length > 0 && field[0] != '"' && field.Contains('"', StringComparison.Ordinal));

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
