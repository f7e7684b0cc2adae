namespace ServerlessLineage.Core.Examples;

/// <summary>
/// The examples dataset in memory, column by column: what training, evaluation and attribution read. Token columns are flat
/// arrays of <see cref="Count"/> x <see cref="SequenceLength"/>; features are flat <see cref="Count"/> x <see cref="FeatureCount"/>
/// in <see cref="ExampleFeatures.Names"/> order.
/// </summary>
public sealed class ExampleTable
{
    internal ExampleTable(int count, int sequenceLength)
    {
        Count = count;
        SequenceLength = sequenceLength;
        ExampleIds = new long[count];
        Splits = new string[count];
        Labels = new int[count];
        Timestamps = new DateTime[count];
        Subjects = new string[count];
        SessionIds = new string[count];
        ItemIds = new string[count];
        Positions = new int[count];
        ContextTexts = new string[count];
        ItemTexts = new string[count];
        InputIds = new int[count * sequenceLength];
        AttentionMask = new int[count * sequenceLength];
        TokenTypeIds = new int[count * sequenceLength];
        Features = new float[count * ExampleFeatures.Count];
    }

    public int Count { get; }
    public int SequenceLength { get; }
    public static int FeatureCount => ExampleFeatures.Count;
    public long[] ExampleIds { get; }
    public string[] Splits { get; }
    public int[] Labels { get; }

    /// <summary>When the impression was shown (UTC); the split is by time, so this orders examples within and across splits.</summary>
    public DateTime[] Timestamps { get; }

    public string[] Subjects { get; }
    public string[] SessionIds { get; }
    public string[] ItemIds { get; }
    public int[] Positions { get; }
    public string[] ContextTexts { get; }
    public string[] ItemTexts { get; }
    public int[] InputIds { get; }
    public int[] AttentionMask { get; }
    public int[] TokenTypeIds { get; }
    public float[] Features { get; }

    public ReadOnlySpan<int> InputIdsOf(int row) => InputIds.AsSpan(row * SequenceLength, SequenceLength);
    public ReadOnlySpan<int> AttentionMaskOf(int row) => AttentionMask.AsSpan(row * SequenceLength, SequenceLength);
    public ReadOnlySpan<int> TokenTypeIdsOf(int row) => TokenTypeIds.AsSpan(row * SequenceLength, SequenceLength);
    public ReadOnlySpan<float> FeaturesOf(int row) => Features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>Row indices of one split (<see cref="ExamplesSchema.TrainSplit"/> or <see cref="ExamplesSchema.EvalSplit"/>), in file order.</summary>
    public int[] RowsOf(string split) => [.. Enumerable.Range(0, Count).Where(i => Splits[i] == split)];
}
