using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Records;

/// <summary>
/// One line of the data-subject index: a pseudonymised subject's rows are in <paramref name="Node"/> (a dataset version, model
/// version or recommendation) <paramref name="RowCount"/> times.
/// </summary>
public sealed record SubjectEntry(string Subject, NodeId Node, long RowCount);
