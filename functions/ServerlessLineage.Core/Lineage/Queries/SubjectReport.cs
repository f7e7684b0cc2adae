namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Everything derived from one data subject's rows, for a data-subject request: the dataset versions, model versions and
/// recommendations that hold them, grouped by node type (in <see cref="Graph.NodeType"/> order). It names the pseudonymised
/// <see cref="Subject"/> only, never a user id.
/// </summary>
public sealed record SubjectReport(string Subject, int TotalNodes, long TotalCount, IReadOnlyList<SubjectNodeGroup> Groups);
