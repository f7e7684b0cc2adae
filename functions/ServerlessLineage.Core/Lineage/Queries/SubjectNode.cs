using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// One node holding a subject's data, with <see cref="Count"/> from the subject index: rows of a cleaned version, examples of an
/// examples version, training examples of a model version, 1 for a recommendation.
/// </summary>
public sealed record SubjectNode(NodeId Id, string? Namespace, string? Name, string? Version, DateTimeOffset? CreatedAt, long Count);
