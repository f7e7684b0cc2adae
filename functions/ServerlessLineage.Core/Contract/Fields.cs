namespace ServerlessLineage.Core.Contract;

/// <summary>Field names of the behaviour-event contract (DATA-CONTRACT.md). CSV header names and JSON property names alike.</summary>
public static class EventFields
{
    public const string EventId = "event_id";
    public const string Timestamp = "timestamp";
    public const string UserId = "user_id";
    public const string SessionId = "session_id";
    public const string EventType = "event_type";
    public const string ItemId = "item_id";
    public const string Query = "query";
    public const string DwellMs = "dwell_ms";
    public const string Price = "price";

    /// <summary>Fields in contract order.</summary>
    public static IReadOnlyList<string> All { get; } = [EventId, Timestamp, UserId, SessionId, EventType, ItemId, Query, DwellMs, Price];

    public static IReadOnlyList<string> Required { get; } = [EventId, Timestamp, UserId, SessionId, EventType, ItemId];

    public const int MaxIdLength = 128;
    public const int MaxQueryLength = 512;
}

/// <summary>Field names of the catalog contract.</summary>
public static class CatalogFields
{
    public const string ItemId = "item_id";
    public const string Title = "title";
    public const string Category = "category";
    public const string Brand = "brand";
    public const string Price = "price";
    public const string Description = "description";

    public static IReadOnlyList<string> All { get; } = [ItemId, Title, Category, Brand, Price, Description];

    public static IReadOnlyList<string> Required { get; } = [ItemId, Title, Category];

    public const int MaxTitleLength = 512;
}
