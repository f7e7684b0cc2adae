namespace ServerlessLineage.Core.Examples;

/// <summary>Figures of one example-building run.</summary>
public sealed record ExampleMetrics
{
    public long CleanedRows { get; init; }

    public long Impressions { get; init; }

    public long TrainExamples { get; init; }

    public long EvalExamples { get; init; }

    public double TrainPositiveRate { get; init; }

    public double EvalPositiveRate { get; init; }

    /// <summary>Impressions at or after this instant are evaluation examples.</summary>
    public DateTime? SplitAt { get; init; }

    public long Sessions { get; init; }

    /// <summary>Examples whose token sequence was cut to fit the maximum length.</summary>
    public long Truncated { get; init; }

    public int MaxSequenceLength { get; init; }
}
