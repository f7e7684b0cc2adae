namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Wire names of <see cref="RawLineTrace.Status"/>.</summary>
public static class RawLineStatuses
{
    /// <summary>The line became at least one cleaned row.</summary>
    public const string Cleaned = "cleaned";

    /// <summary>
    /// Cleaned versions with row maps exist but none holds the line: it was quarantined (its reason is in the quarantine file) or
    /// is not a data row (the CSV header, a blank line, or past the end of the file).
    /// </summary>
    public const string QuarantinedOrNotFound = "quarantinedOrNotFound";

    /// <summary>No version derived from this one has a row map back to it, so its lines cannot be traced.</summary>
    public const string NoRowProvenance = "noRowProvenance";
}
