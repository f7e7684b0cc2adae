namespace ServerlessLineage.Core.Tests.TestData;

/// <summary>One behaviour event as written in a test file; every value is raw text, null = field left out.</summary>
internal sealed record EventRow
{
    public string? EventId { get; init; } = "e1";

    public string? Timestamp { get; init; } = "2024-05-01T10:00:00Z";

    public string? UserId { get; init; } = "user-1";

    public string? SessionId { get; init; } = "s1";

    public string? EventType { get; init; } = "view";

    public string? ItemId { get; init; } = "i1";

    public string? Query { get; init; }

    public string? DwellMs { get; init; }

    public string? Price { get; init; }

    /// <summary>Values in <see cref="ContractFiles.EventHeader"/> order.</summary>
    public string?[] Values => [EventId, Timestamp, UserId, SessionId, EventType, ItemId, Query, DwellMs, Price];
}
