using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Text;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// Top-K recommendations from a ranking model: every distinct item of the examples table is a candidate, scored against one
/// context, and the K best are returned with the exact inputs that were scored.
/// <para>
/// Candidate features, chosen so that a candidate looks like an item shown in the evaluation period:
/// the item statistics (<c>f_item_popularity_log</c>, <c>f_item_ctr</c>, <c>f_item_dwell_log</c>) come from the item's latest
/// evaluation row, whose statistics are the whole training split's (every evaluation row of an item carries the same ones),
/// else from its latest training row (those leave that row's own impression out, so they are one impression short);
/// <c>f_price_log</c> is the latest non-zero one in any row (a view carries a price only sometimes; zero means absent);
/// <c>f_position_log</c> is that of the first slot (log(1 + 0)), so position bias favours no candidate; <c>f_has_query</c>
/// says whether the context is a typed query. The statistics never include evaluation labels.
/// </para>
/// <para>
/// A subject's default context is the context of its most recent evaluation impression (query text, or the titles viewed
/// before it). Not thread-safe (the tokenizer is not).
/// </para>
/// </summary>
public sealed class Recommender
{
    private static readonly int PriceIndex = FeatureIndex(ExampleFeatures.Price);
    private static readonly int PositionIndex = FeatureIndex(ExampleFeatures.Position);
    private static readonly int HasQueryIndex = FeatureIndex(ExampleFeatures.HasQuery);

    private readonly ModelScorer _scorer;
    private readonly BertPairEncoder _encoder;
    private readonly int[][] _itemTokens;
    private readonly Dictionary<string, int> _candidateIndex;
    private readonly Dictionary<string, RecommendationContext> _latestContexts;

    /// <summary>Candidates are the items of <paramref name="table"/>; pairs are encoded at its sequence length.</summary>
    public Recommender(ModelScorer scorer, ExampleTable table, BertPairEncoder? encoder = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(table);
        encoder ??= new BertPairEncoder(table.SequenceLength);
        if (encoder.MaxLength != table.SequenceLength)
        {
            throw new ArgumentException($"The encoder's length {encoder.MaxLength} differs from the table's {table.SequenceLength}.", nameof(encoder));
        }

        _scorer = scorer;
        _encoder = encoder;
        Candidates = BuildCandidates(table);
        _itemTokens = [.. Candidates.Select(c => encoder.Tokenize(c.ItemText))];
        _candidateIndex = Candidates.Select((c, i) => (c.ItemId, i)).ToDictionary(p => p.ItemId, p => p.i, StringComparer.Ordinal);
        _latestContexts = LatestEvalContexts(table);
        SubjectsWithEvalContext = [.. _latestContexts.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Every distinct item of the table, ordered by item id.</summary>
    public IReadOnlyList<RecommendationCandidate> Candidates { get; }

    /// <summary>Subjects that have an evaluation impression (and so a default context), ordered.</summary>
    public IReadOnlyList<string> SubjectsWithEvalContext { get; }

    /// <summary>The context of <paramref name="subject"/>'s most recent evaluation impression.</summary>
    public bool TryGetLatestContext(string subject, out RecommendationContext context)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return _latestContexts.TryGetValue(subject, out context!);
    }

    /// <summary>Top-<paramref name="k"/> items for <paramref name="subject"/> in its most recent evaluation context.</summary>
    public IReadOnlyList<Recommendation> Recommend(string subject, int k = 10)
    {
        if (!TryGetLatestContext(subject, out var context))
        {
            throw new ArgumentException($"Subject '{subject}' has no evaluation impression to take a context from; pass a context.", nameof(subject));
        }

        return Recommend(subject, context, k);
    }

    /// <summary>Top-<paramref name="k"/> items for each subject in its most recent evaluation context.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Recommendation>> Recommend(IEnumerable<string> subjects, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var result = new Dictionary<string, IReadOnlyList<Recommendation>>(StringComparer.Ordinal);
        foreach (var subject in subjects)
        {
            result[subject] = Recommend(subject, k);
        }

        return result;
    }

    /// <summary>
    /// Top-<paramref name="k"/> items (fewer when there are fewer candidates) for <paramref name="context"/>, best first; equal
    /// logits are ordered by item id. The subject only labels the result: the model has no user input.
    /// </summary>
    public IReadOnlyList<Recommendation> Recommend(string subject, RecommendationContext context, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var contextTokens = _encoder.Tokenize(context.Text);
        var inputs = new RecommendationInput[Candidates.Count];
        for (var c = 0; c < inputs.Length; c++)
        {
            inputs[c] = Encode(contextTokens, context.IsQuery, c);
        }

        var scores = _scorer.Score(inputs);
        var order = Enumerable.Range(0, inputs.Length)
            .OrderByDescending(c => scores.Logits[c])
            .ThenBy(c => Candidates[c].ItemId, StringComparer.Ordinal)
            .Take(k)
            .ToList();
        var recommendations = new List<Recommendation>(order.Count);
        foreach (var c in order)
        {
            recommendations.Add(new Recommendation
            {
                Subject = subject,
                Context = context.Text,
                ItemId = Candidates[c].ItemId,
                ItemText = Candidates[c].ItemText,
                Score = scores.Probabilities[c],
                Logit = scores.Logits[c],
                Rank = recommendations.Count + 1,
                Input = inputs[c],
            });
        }

        return recommendations;
    }

    /// <summary>The model input of (<paramref name="context"/>, candidate <paramref name="itemId"/>), exactly as it is scored.</summary>
    public RecommendationInput Encode(RecommendationContext context, string itemId)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(itemId);
        if (!_candidateIndex.TryGetValue(itemId, out var index))
        {
            throw new ArgumentException($"Item '{itemId}' is not a candidate.", nameof(itemId));
        }

        return Encode(_encoder.Tokenize(context.Text), context.IsQuery, index);
    }

    private RecommendationInput Encode(int[] contextTokens, bool isQuery, int candidate)
    {
        var length = _encoder.MaxLength;
        var ids = new int[length];
        var mask = new int[length];
        var types = new int[length];
        _encoder.EncodePair(contextTokens, _itemTokens[candidate], ids, mask, types);
        var features = (float[])Candidates[candidate].Features.Clone();
        features[HasQueryIndex] = isQuery ? 1 : 0;
        return new RecommendationInput(ids, mask, types, features);
    }

    private static List<RecommendationCandidate> BuildCandidates(ExampleTable table)
    {
        // Per item: the row whose statistics are used (latest eval row, else latest train row) and the latest priced row.
        var statistics = new Dictionary<string, int>(StringComparer.Ordinal);
        var priced = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < table.Count; row++)
        {
            var item = table.ItemIds[row];
            if (!statistics.TryGetValue(item, out var current) || PrefersForStatistics(table, row, current))
            {
                statistics[item] = row;
            }

            if (table.FeaturesOf(row)[PriceIndex] > 0 && (!priced.TryGetValue(item, out var latest) || IsLater(table, row, latest)))
            {
                priced[item] = row;
            }
        }

        var candidates = new List<RecommendationCandidate>(statistics.Count);
        foreach (var (item, row) in statistics.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var features = table.FeaturesOf(row).ToArray();
            features[PositionIndex] = 0;
            features[HasQueryIndex] = 0;
            long? priceExample = null;
            if (priced.TryGetValue(item, out var priceRow))
            {
                features[PriceIndex] = table.FeaturesOf(priceRow)[PriceIndex];
                priceExample = table.ExampleIds[priceRow];
            }
            else
            {
                features[PriceIndex] = 0;
            }

            candidates.Add(new RecommendationCandidate(item, table.ItemTexts[row], features, table.ExampleIds[row], priceExample));
        }

        return candidates;
    }

    private static bool PrefersForStatistics(ExampleTable table, int row, int current)
    {
        var rowIsEval = table.Splits[row] == ExamplesSchema.EvalSplit;
        var currentIsEval = table.Splits[current] == ExamplesSchema.EvalSplit;
        return rowIsEval != currentIsEval ? rowIsEval : IsLater(table, row, current);
    }

    private static Dictionary<string, RecommendationContext> LatestEvalContexts(ExampleTable table)
    {
        var latest = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in table.RowsOf(ExamplesSchema.EvalSplit))
        {
            var subject = table.Subjects[row];
            if (!latest.TryGetValue(subject, out var current) || IsLater(table, row, current))
            {
                latest[subject] = row;
            }
        }

        return latest.ToDictionary(
            p => p.Key,
            p => new RecommendationContext(table.ContextTexts[p.Value], table.FeaturesOf(p.Value)[HasQueryIndex] > 0.5f),
            StringComparer.Ordinal);
    }

    /// <summary>Later timestamp; equal timestamps are ordered by example id (the data's order).</summary>
    private static bool IsLater(ExampleTable table, int row, int than) =>
        table.Timestamps[row] != table.Timestamps[than] ? table.Timestamps[row] > table.Timestamps[than] : table.ExampleIds[row] > table.ExampleIds[than];

    private static int FeatureIndex(string name)
    {
        var names = ExampleFeatures.Names;
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Feature '{name}' is not among the example features.");
    }
}
