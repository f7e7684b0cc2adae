using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Quality;

/// <summary>Per-column figures of a dataset: nulls, approximate distinct count, and min/max for numbers and timestamps.</summary>
public sealed class ColumnProfile
{
    // Timestamps are compared as UTC ticks: lifted DateTimeOffset? comparisons cost more on the hot path.

    private readonly HyperLogLog _distinct = new();
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private double _sum;
    private long _minTicks = long.MaxValue;
    private long _maxTicks = long.MinValue;
    private long _keyCount;

    public ColumnProfile(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public long Count { get; private set; }

    public long NullCount { get; private set; }

    public void AddNull()
    {
        Count++;
        NullCount++;
    }

    /// <summary>Counts a value of a key column: distinct by construction, so no estimate is needed.</summary>
    public void AddKey()
    {
        Count++;
        _keyCount++;
    }

    public void Add(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            AddNull();
            return;
        }

        Count++;
        _distinct.Add(value.AsSpan());
    }

    public void Add(double? value)
    {
        if (value is not { } v)
        {
            AddNull();
            return;
        }

        Count++;
        _distinct.Add(v);
        _sum += v;
        _min = Math.Min(_min, v);
        _max = Math.Max(_max, v);
    }

    public void Add(DateTimeOffset value)
    {
        Count++;
        var ticks = value.UtcTicks;
        _distinct.Add(ticks);
        _minTicks = Math.Min(_minTicks, ticks);
        _maxTicks = Math.Max(_maxTicks, ticks);
    }

    public ColumnMetrics ToMetrics() => new()
    {
        Name = Name,
        Count = Count,
        NullCount = NullCount,
        DistinctCount = _keyCount > 0 ? _keyCount : Count == NullCount ? 0 : _distinct.Estimate(),
        Min = _min <= _max ? _min : null,
        Max = _min <= _max ? _max : null,
        Mean = _min <= _max ? _sum / (Count - NullCount) : null,
        MinTimestamp = _minTicks <= _maxTicks ? new DateTime(_minTicks, DateTimeKind.Utc) : null,
        MaxTimestamp = _minTicks <= _maxTicks ? new DateTime(_maxTicks, DateTimeKind.Utc) : null,
    };
}

/// <summary>Serializable figures of one column (OpenLineage dataQualityMetrics column shape plus timestamps).</summary>
public sealed record ColumnMetrics
{
    public required string Name { get; init; }

    public long Count { get; init; }

    public long NullCount { get; init; }

    /// <summary>HyperLogLog estimate (standard error ~1.6%), exact where the column is a key.</summary>
    public long DistinctCount { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Min { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Max { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Mean { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? MinTimestamp { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? MaxTimestamp { get; init; }
}
