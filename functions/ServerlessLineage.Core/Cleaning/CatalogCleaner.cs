using System.Text;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>
/// Validates a catalog file: item_id (1..128, unique), title (1..512), category (1..128) required; brand optional (..128);
/// price a decimal &gt;= 0; description optional. Rejected rows go to the quarantine like event rows; a repeated item_id is
/// quarantined as DUPLICATE_EVENT (the contract's code for a repeated key), keeping the first.
/// </summary>
public static class CatalogCleaner
{
    private const int ItemId = 0;
    private const int Title = 1;
    private const int Category = 2;
    private const int Brand = 3;
    private const int Price = 4;
    private const int Description = 5;

    public static (CatalogIndex Catalog, CleaningMetrics Metrics) Clean(RecordReader reader, string source, QuarantineWriter quarantine)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(quarantine);
        var items = new List<CatalogItem>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        var reasons = CleaningMetrics.EmptyReasonCounts();
        var profiles = CatalogFields.All.Select(f => new ColumnProfile(f)).ToArray();
        long rowsIn = 0;
        while (reader.MoveNext())
        {
            rowsIn++;
            var finding = Check(reader, firstLine, out var item);
            if (finding is { } f)
            {
                reasons[f.Reason.ToWireName()]++;
                quarantine.Add(source, reader.LineNumber, f.Reason, f.Message, reader.RawRecord);
                continue;
            }

            items.Add(item!);
            firstLine[item!.ItemId] = reader.LineNumber;
            profiles[ItemId].Add(item.ItemId);
            profiles[Title].Add(item.Title);
            profiles[Category].Add(item.Category);
            profiles[Brand].Add(item.Brand);
            profiles[Price].Add(item.Price);
            profiles[Description].Add(item.Description);
        }

        var metrics = CleaningMetrics.FromReader(reader, source, rowsIn, items.Count, reasons, profiles);
        return (new CatalogIndex(items), metrics);
    }

    private static FieldChecks.Finding? Check(RecordReader reader, Dictionary<string, long> firstLine, out CatalogItem? item)
    {
        item = null;
        if (reader.IsMalformed)
        {
            return new(ReasonCode.MalformedRow, reader.MalformedMessage ?? "malformed row");
        }

        var finding = FieldChecks.Required(reader, ItemId) ?? FieldChecks.Required(reader, Title) ?? FieldChecks.Required(reader, Category)
            ?? FieldChecks.Text(reader, ItemId, EventFields.MaxIdLength) ?? FieldChecks.Text(reader, Title, CatalogFields.MaxTitleLength)
            ?? FieldChecks.Text(reader, Category, EventFields.MaxIdLength) ?? FieldChecks.Text(reader, Brand, EventFields.MaxIdLength)
            ?? FieldChecks.Text(reader, Description, 65_536);
        if (finding is not null)
        {
            return finding;
        }

        if (FieldChecks.NonNegativeDecimal(reader, Price, out var price) is { } badPrice)
        {
            return badPrice;
        }

        var id = Encoding.UTF8.GetString(reader.GetValue(ItemId));
        if (firstLine.TryGetValue(id, out var line))
        {
            return new(ReasonCode.DuplicateEvent, $"item_id '{id}' already defined on line {line}");
        }

        item = new CatalogItem(
            id,
            Encoding.UTF8.GetString(reader.GetValue(Title)),
            Encoding.UTF8.GetString(reader.GetValue(Category)),
            FieldChecks.OptionalString(reader, Brand),
            price,
            FieldChecks.OptionalString(reader, Description),
            reader.LineNumber);
        return null;
    }
}
