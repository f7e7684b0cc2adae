using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Quality;

/// <summary>Per-column figures of a dataset: nulls, approximate distinct count, and min/max for numbers and timestamps.</summary>
public sealed class ColumnProfile
{
    private readonly HyperLogLog _distinct = new();
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private double _sum;
    private DateTimeOffset? _minTime;
    private DateTimeOffset? _maxTime;

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
        _distinct.Add(value.UtcTicks);
        if (_minTime is null || value < _minTime)
        {
            _minTime = value;
        }

        if (_maxTime is null || value > _maxTime)
        {
            _maxTime = value;
        }
    }

    public ColumnMetrics ToMetrics() => new()
    {
        Name = Name,
        Count = Count,
        NullCount = NullCount,
        DistinctCount = Count == NullCount ? 0 : _distinct.Estimate(),
        Min = _min <= _max ? _min : null,
        Max = _min <= _max ? _max : null,
        Mean = _min <= _max ? _sum / (Count - NullCount) : null,
        MinTimestamp = _minTime?.UtcDateTime,
        MaxTimestamp = _maxTime?.UtcDateTime,
    };
}

/// <summary>Serializable figures of one column (OpenLineage dataQualityMetrics column shape plus timestamps).</summary>
public sealed record ColumnMetrics
{
    public required string Name { get; init; }

    public long Count { get; init; }

    public long NullCount { get; init; }

    /// <summary>HyperLogLog estimate (standard error ~0.8%).</summary>
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
