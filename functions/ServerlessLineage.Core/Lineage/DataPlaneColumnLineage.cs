using ServerlessLineage.Core.Examples;
using T = ServerlessLineage.Core.Lineage.ColumnTransformation;

namespace ServerlessLineage.Core.Lineage;

/// <summary>Which source columns each column of the data plane's outputs comes from, and how.</summary>
public static class DataPlaneColumnLineage
{
    /// <summary>A dataset as OpenLineage names it.</summary>
    public readonly record struct DatasetName(string Namespace, string Name);

    public static ColumnLineage CleanedEvents(DatasetName rawEvents, DatasetName catalog)
    {
        var b = new ColumnLineageBuilder();
        void Raw(string output, string input, T t) => b.Add(output, rawEvents.Namespace, rawEvents.Name, input, t);
        Raw("event_id", "event_id", T.Identity());
        Raw("timestamp", "timestamp", T.Transform("ISO 8601 with offset normalised to UTC"));
        Raw("subject", "user_id", T.Transform("HMAC-SHA256 pseudonymisation under a secret key", masking: true));
        Raw("session_id", "session_id", T.Identity());
        Raw("event_type", "event_type", T.Transform("lower-cased"));
        Raw("item_id", "item_id", T.Identity());
        Raw("query", "query", T.Identity());
        Raw("dwell_ms", "dwell_ms", T.Identity());
        Raw("price", "price", T.Identity());
        b.Add("price", catalog.Namespace, catalog.Name, "price", T.Transform("catalog price when the event has none"));
        Raw("price_source", "price", T.Indirect(ColumnTransformationSubtype.Conditional, "event or catalog"));
        b.Add("category", catalog.Namespace, catalog.Name, "category", T.Identity("joined on item_id"));
        b.Add("brand", catalog.Namespace, catalog.Name, "brand", T.Identity("joined on item_id"));
        foreach (var field in new[] { "event_id", "timestamp", "user_id", "session_id", "event_type", "item_id", "query", "dwell_ms", "price" })
        {
            b.AddDatasetDependency(rawEvents.Namespace, rawEvents.Name, field, T.Indirect(ColumnTransformationSubtype.Filter, "rows failing the data contract are quarantined"));
        }

        b.AddDatasetDependency(catalog.Namespace, catalog.Name, "item_id", T.Indirect(ColumnTransformationSubtype.Join, "events join the catalog on item_id"));
        return b.Build();
    }

    public static ColumnLineage Examples(DatasetName cleaned, DatasetName catalog)
    {
        var b = new ColumnLineageBuilder();
        void Clean(string output, string input, T t) => b.Add(output, cleaned.Namespace, cleaned.Name, input, t);
        void Cat(string output, string input, T t) => b.Add(output, catalog.Namespace, catalog.Name, input, t);
        Clean("split", "timestamp", T.Transform("chronological split: the last part by time is evaluation"));
        foreach (var input in new[] { "event_type", "item_id", "session_id", "timestamp" })
        {
            Clean("label", input, T.Aggregation("1 when the session engages with the item after the view"));
        }

        Clean("impression_row", "event_type", T.Indirect(ColumnTransformationSubtype.Filter, "view events are impressions"));
        Clean("timestamp", "timestamp", T.Identity());
        Clean("session_id", "session_id", T.Identity());
        Clean("subject", "subject", T.Identity());
        Clean("item_id", "item_id", T.Identity());
        Clean("position", "session_id", T.Aggregation("index of the view in its session"));
        Clean("position", "timestamp", T.Indirect(ColumnTransformationSubtype.Sort));
        Clean("context_text", "query", T.Identity("when the impression has a query"));
        Cat("context_text", "title", T.Transform("titles of the session's previous items when there is no query"));
        foreach (var input in new[] { "title", "category", "brand" })
        {
            Cat("item_text", input, T.Transform("title | category | brand"));
        }

        foreach (var tokens in new[] { "input_ids", "attention_mask", "token_type_ids" })
        {
            Clean(tokens, "query", T.Transform("WordPiece (bert-base-uncased) of [CLS] context [SEP] item [SEP]"));
            foreach (var input in new[] { "title", "category", "brand" })
            {
                Cat(tokens, input, T.Transform("WordPiece (bert-base-uncased) of [CLS] context [SEP] item [SEP]"));
            }
        }

        Clean(ExampleFeatures.Price, "price", T.Transform("log(1 + price)"));
        Clean(ExampleFeatures.ItemPopularity, "item_id", T.Aggregation("log(1 + training impressions of the item)"));
        Clean(ExampleFeatures.ItemPopularity, "event_type", T.Indirect(ColumnTransformationSubtype.Filter));
        foreach (var input in new[] { "item_id", "event_type", "session_id" })
        {
            Clean(ExampleFeatures.ItemCtr, input, T.Aggregation("smoothed training click-through rate of the item, own impression left out"));
        }

        Clean(ExampleFeatures.ItemDwell, "dwell_ms", T.Aggregation("log(1 + mean training dwell of the item)"));
        Clean(ExampleFeatures.ItemDwell, "item_id", T.Indirect(ColumnTransformationSubtype.GroupBy));
        Clean(ExampleFeatures.Position, "session_id", T.Aggregation("log(1 + position)"));
        Clean(ExampleFeatures.HasQuery, "query", T.Transform("1 when the impression has a query"));
        b.AddDatasetDependency(cleaned.Namespace, cleaned.Name, "event_type", T.Indirect(ColumnTransformationSubtype.Filter, "one example per view"));
        b.AddDatasetDependency(cleaned.Namespace, cleaned.Name, "item_id", T.Indirect(ColumnTransformationSubtype.Join, "joined to the catalog"));
        return b.Build();
    }
}
