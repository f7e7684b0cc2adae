using ServerlessLineage.Core.Lineage.Records;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Why one recommendation was made: its rank and score, the token and feature attributions, the most influential training
/// examples down to raw lines, and the model version's own upstream. Without an attribution record
/// (<see cref="HasAttribution"/> false) the attribution lists are empty and the rest is filled from the graph.
/// </summary>
public sealed record RecommendationTrace(
    NodeRef Recommendation,
    bool HasAttribution,
    string? Subject,
    string? ItemId,
    int? Rank,
    double? Score,
    IReadOnlyList<TokenAttribution> Tokens,
    IReadOnlyList<FeatureAttribution> Features,
    NodeRef? TrainingExamples,
    int TopExampleCount,
    IReadOnlyList<InfluentialExampleTrace> TopExamples,
    ModelUpstream? Model);
