using Parquet.Schema;

namespace ServerlessLineage.Core.Examples;

/// <summary>Parquet schema of the training/evaluation examples dataset. Column names are a public interface.</summary>
public static class ExamplesSchema
{
    public static readonly DataField<long> ExampleId = new("example_id", false);
    public static readonly DataField<string> Split = new("split", false);
    public static readonly DataField<int> Label = new("label", false);
    public static readonly DataField<long> ImpressionRow = new("impression_row", false);
    public static readonly DateTimeDataField Timestamp = new("timestamp", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    public static readonly DataField<string> SessionId = new("session_id", false);
    public static readonly DataField<string> Subject = new("subject", false);
    public static readonly DataField<string> ItemId = new("item_id", false);
    public static readonly DataField<int> Position = new("position", false);
    public static readonly DataField<string> ContextText = new("context_text", false);
    public static readonly DataField<string> ItemText = new("item_text", false);
    public static readonly DataField<int> InputIdsElement = new("element", false);
    public static readonly ListField InputIds = new("input_ids", InputIdsElement);
    public static readonly DataField<int> AttentionMaskElement = new("element", false);
    public static readonly ListField AttentionMask = new("attention_mask", AttentionMaskElement);
    public static readonly DataField<int> TokenTypeIdsElement = new("element", false);
    public static readonly ListField TokenTypeIds = new("token_type_ids", TokenTypeIdsElement);
    public static readonly DataField<float>[] Features = [.. ExampleFeatures.Names.Select(n => new DataField<float>(n, false))];

    public static readonly ParquetSchema Schema = new(
        new Field[] { ExampleId, Split, Label, ImpressionRow, Timestamp, SessionId, Subject, ItemId, Position, ContextText, ItemText, InputIds, AttentionMask, TokenTypeIds }
            .Concat(Features));

    public const string TrainSplit = "train";
    public const string EvalSplit = "eval";
}
