namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>A subject's nodes of one type (wire name), ordered by id, with how many there are and the sum of their counts.</summary>
public sealed record SubjectNodeGroup(string Type, int NodeCount, long TotalCount, IReadOnlyList<SubjectNode> Nodes);
