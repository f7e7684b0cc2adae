using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Records;

/// <summary>One ranked item for a pseudonymised subject in an evaluation context, from one model version.</summary>
public sealed record RecommendationRecord
{
    public required NodeId ModelVersion { get; init; }

    public required string Subject { get; init; }

    public required string ItemId { get; init; }

    /// <summary>1-based rank in the subject's list.</summary>
    public required int Rank { get; init; }

    public required double Score { get; init; }

    /// <summary>The session whose context was ranked.</summary>
    public string? SessionId { get; init; }

    public NodeId Id => NodeId.Recommendation(ModelVersion, Subject, ItemId);
}
