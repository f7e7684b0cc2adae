namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Forward trace of one raw line: the cleaned rows it became (usually one) with the example rows built from them.
/// <see cref="Status"/> is a <see cref="RawLineStatuses"/> name and <see cref="Message"/> says the same in words.
/// <see cref="QuarantineVersions"/> are the versions derived from the raw file that carry no row map: in the pipeline's layout,
/// the run's quarantine file, where a quarantined line is listed with its reason.
/// </summary>
public sealed record RawLineTrace(
    NodeRef RawVersion,
    long Line,
    string Status,
    string Message,
    IReadOnlyList<CleanedRowHit> CleanedRows,
    IReadOnlyList<NodeRef> QuarantineVersions);
