namespace ServerlessLineage.Core.Examples;

/// <summary>
/// The behaviour features of an example, in model input order. Item statistics come from the training part only; for a
/// training example its own impression is left out of its item's click-through rate (no label leakage).
/// </summary>
public static class ExampleFeatures
{
    public const string Price = "f_price_log";
    public const string ItemPopularity = "f_item_popularity_log";
    public const string ItemCtr = "f_item_ctr";
    public const string ItemDwell = "f_item_dwell_log";
    public const string Position = "f_position_log";
    public const string HasQuery = "f_has_query";

    public static IReadOnlyList<string> Names { get; } = [Price, ItemPopularity, ItemCtr, ItemDwell, Position, HasQuery];

    public static int Count => Names.Count;
}
