using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>The column profiles of the cleaned events dataset, fed one kept row at a time in dataset order.</summary>
internal sealed class CleanedEventProfiler
{
    private readonly ColumnProfile[] _profiles = [.. Columns.Select(c => new ColumnProfile(c))];

    /// <summary>Columns of the cleaned dataset that are profiled, in schema order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["event_id", "timestamp", "subject", "session_id", "event_type", "item_id", "query", "dwell_ms", "price", "category", "brand"];

    public IReadOnlyList<ColumnProfile> Profiles => _profiles;

    public void Add(in CleanedEvent row)
    {
        _profiles[0].AddKey();
        _profiles[1].Add(row.Timestamp);
        _profiles[2].Add(row.Subject);
        _profiles[3].Add(row.SessionId);
        _profiles[4].Add(row.EventType.ToWireName());
        _profiles[5].Add(row.ItemId);
        _profiles[6].Add(row.Query);
        _profiles[7].Add(row.DwellMs);
        _profiles[8].Add(row.Price);
        _profiles[9].Add(row.Category);
        _profiles[10].Add(row.Brand);
    }
}
