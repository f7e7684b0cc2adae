using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Datasets;

/// <summary>One row of the cleaned events dataset: validated, user pseudonymised, joined with the catalog.</summary>
public readonly record struct CleanedEvent(
    string EventId,
    DateTimeOffset Timestamp,
    string Subject,
    string SessionId,
    EventType EventType,
    string ItemId,
    string? Query,
    long? DwellMs,
    double? Price,
    PriceSource PriceSource,
    string Category,
    string? Brand,
    long SourceLine);

/// <summary>Where a cleaned row's price came from.</summary>
public enum PriceSource : byte
{
    None,
    Event,
    Catalog,
}
