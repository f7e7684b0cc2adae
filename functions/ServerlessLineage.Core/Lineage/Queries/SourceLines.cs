namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Lines of one raw file version (1-based physical lines, the CSV header being line 1), ascending. The blob is the dataset's
/// namespace and name; <see cref="NodeRef.Version"/> pins its content.
/// </summary>
public sealed record SourceLines(NodeRef Dataset, IReadOnlyList<long> Lines);
