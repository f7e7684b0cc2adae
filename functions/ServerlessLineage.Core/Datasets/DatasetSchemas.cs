using Parquet.Schema;

namespace ServerlessLineage.Core.Datasets;

/// <summary>Parquet schemas of the datasets the data plane publishes. Column names are a public interface.</summary>
public static class DatasetSchemas
{
    public static class CleanedEvents
    {
        public static readonly DataField<string> EventId = new("event_id", false);
        public static readonly DateTimeDataField Timestamp = new("timestamp", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
        public static readonly DataField<string> Subject = new("subject", false);
        public static readonly DataField<string> SessionId = new("session_id", false);
        public static readonly DataField<string> EventType = new("event_type", false);
        public static readonly DataField<string> ItemId = new("item_id", false);
        public static readonly DataField<string> Query = new("query", true);
        public static readonly DataField<long?> DwellMs = new("dwell_ms", true);
        public static readonly DataField<double?> Price = new("price", true);
        public static readonly DataField<string> PriceSource = new("price_source", true);
        public static readonly DataField<string> Category = new("category", false);
        public static readonly DataField<string> Brand = new("brand", true);
        public static readonly DataField<long> SourceLine = new("source_line", false);

        public static readonly ParquetSchema Schema = new(EventId, Timestamp, Subject, SessionId, EventType, ItemId, Query, DwellMs, Price, PriceSource, Category, Brand, SourceLine);
    }

    public static class Catalog
    {
        public static readonly DataField<string> ItemId = new("item_id", false);
        public static readonly DataField<string> Title = new("title", false);
        public static readonly DataField<string> Category = new("category", false);
        public static readonly DataField<string> Brand = new("brand", true);
        public static readonly DataField<double?> Price = new("price", true);
        public static readonly DataField<string> Description = new("description", true);
        public static readonly DataField<long> SourceLine = new("source_line", false);

        public static readonly ParquetSchema Schema = new(ItemId, Title, Category, Brand, Price, Description, SourceLine);
    }
}
