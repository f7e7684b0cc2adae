using System.Globalization;
using System.Text;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>
/// Makes one defective row from a valid template row. The defect is the only thing wrong with it, so it fails the named rule
/// and no earlier one; its event id is fresh, so it can never count as a duplicate.
/// </summary>
internal sealed class BadRowFactory(Random random, EventLineFormatter formatter, ShopCatalog catalog)
{
    private const byte Placeholder = 0x01;
    private static readonly string[] BadTimestamps = ["2026-02-30T10:00:00Z", "2026-01-05T25:61:00Z", "yesterday", "2026-13-01T00:00:00Z", "not-a-timestamp"];
    private static readonly string[] UnknownTypes = ["wishlist", "hover", "refund", "share"];
    private static readonly string[] OverlongIdFields = [EventFields.UserId, EventFields.SessionId];
    private int _emptyCursor;
    private int _absentCursor;
    private int _overlongCursor;

    /// <summary>The defective line's bytes and what the ground truth should say about it.</summary>
    public (byte[] Line, string? Field) Create(BadRowKind kind, EventRow template, string eventId, DateTimeOffset templateTime)
    {
        var row = template.Clone();
        row.EventId = eventId;
        var item = catalog.Items[random.Next(catalog.Items.Count)];
        row.ItemId = item.ItemId;
        row.Price = row.Price is null ? null : Money.Format(item.PriceCents);
        string? field = null;
        var verbatim = false;

        switch (kind)
        {
            case BadRowKind.FieldCountShort:
                return (DropLastField(formatter.Format(row)), null);

            case BadRowKind.FieldCountLong:
                return ([.. formatter.Format(row), .. ",extra"u8], null);

            case BadRowKind.InvalidJson:
                return (formatter.Format(row)[..^1].ToArray(), null);

            case BadRowKind.StrayQuote:
                row.Query = NounWord(item, insert: "\"");
                field = EventFields.Query;
                verbatim = true;
                break;

            case BadRowKind.InvalidUtf8:
                row.Query = NounWord(item, insert: ((char)Placeholder).ToString());
                return (ReplacePlaceholder(formatter.Format(row, verbatim: true)), EventFields.Query);

            case BadRowKind.EmptyField:
                field = EventFields.Required[_emptyCursor++ % EventFields.Required.Count];
                row.Set(field, string.Empty);
                break;

            case BadRowKind.AbsentField:
                field = EventFields.Required[_absentCursor++ % EventFields.Required.Count];
                row.Set(field, null);
                break;

            case BadRowKind.BadTimestamp:
                field = EventFields.Timestamp;
                row.Timestamp = random.Pick(BadTimestamps);
                break;

            case BadRowKind.NegativeDwell:
                field = EventFields.DwellMs;
                row.DwellMs = (-random.Next(1, 5_000)).ToString(CultureInfo.InvariantCulture);
                break;

            case BadRowKind.NegativePrice:
                field = EventFields.Price;
                row.Price = Money.Format(-item.PriceCents);
                break;

            case BadRowKind.UnknownEventType:
                field = EventFields.EventType;
                row.EventType = random.Pick(UnknownTypes);
                break;

            case BadRowKind.OverlongId:
                field = OverlongIdFields[_overlongCursor++ % OverlongIdFields.Length];
                row.Set(field, row.Get(field) + "-" + RandomLetters(EventFields.MaxIdLength + random.Next(1, 80)));
                break;

            case BadRowKind.OverlongQuery:
                field = EventFields.Query;
                row.Query = OverlongQuery(item);
                break;

            case BadRowKind.FarFuture:
                field = EventFields.Timestamp;
                var future = new DateTimeOffset(
                    2100 + random.Next(0, 80), templateTime.Month, Math.Min(templateTime.Day, 28), templateTime.Hour,
                    templateTime.Minute, templateTime.Second, templateTime.Millisecond, templateTime.Offset);
                row.Timestamp = TimestampText.Format(future, future.Offset);
                break;

            case BadRowKind.UnknownItem:
                field = EventFields.ItemId;
                row.ItemId = ShopCatalog.ItemId(catalog.Items.Count + 1 + random.Next(1_000_000));
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "This kind is not made from a template.");
        }

        return (formatter.Format(row, verbatim).ToArray(), field);
    }

    private static byte[] DropLastField(ReadOnlySpan<byte> line) => line[..line.LastIndexOf((byte)',')].ToArray();

    /// <summary>Swaps the placeholder for a byte that can never occur in UTF-8.</summary>
    private static byte[] ReplacePlaceholder(ReadOnlySpan<byte> line)
    {
        var bytes = line.ToArray();
        bytes[Array.IndexOf(bytes, Placeholder)] = 0xFF;
        return bytes;
    }

    private static string OverlongQuery(CatalogItem item)
    {
        var query = new StringBuilder();
        var noun = item.Spec.Nouns[item.Noun].Name.ToLowerInvariant();
        // One more than the limit after the trailing space is trimmed.
        while (query.Length <= EventFields.MaxQueryLength + 1)
        {
            query.Append(noun).Append(' ');
        }

        return query.ToString().TrimEnd();
    }

    /// <summary>The item's noun in lower case with <paramref name="insert"/> placed inside its first word.</summary>
    private static string NounWord(CatalogItem item, string insert)
    {
        var noun = item.Spec.Nouns[item.Noun].Name.ToLowerInvariant();
        var at = Math.Max(1, noun.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 ? space / 2 : noun.Length / 2);
        return noun.Insert(at, insert);
    }

    private string RandomLetters(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + random.Next(26));
        }

        return new string(chars);
    }
}
