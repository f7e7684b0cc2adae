namespace ServerlessLineage.Storage.Lineage;

/// <summary>The names of the lineage tables for one prefix (KEY-DESIGN.md describes what each holds).</summary>
public sealed record LineageTableNames
{
    /// <summary>The names for <paramref name="prefix"/> (validated by <see cref="LineageTableOptions"/>).</summary>
    public LineageTableNames(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        Graph = prefix + "graph";
        Runs = prefix + "runs";
        Provenance = prefix + "provenance";
        Recommendations = prefix + "recommendations";
        Attributions = prefix + "attributions";
        Findings = prefix + "findings";
        Subjects = prefix + "subjects";
    }

    /// <summary>Nodes and both directions of every edge, one partition per node.</summary>
    public string Graph { get; }

    /// <summary>Runs, one partition per run tree, and locators of child runs.</summary>
    public string Runs { get; }

    /// <summary>Row-provenance maps: an index and chunks per map.</summary>
    public string Provenance { get; }

    /// <summary>Recommendations, one partition per model version and subject.</summary>
    public string Recommendations { get; }

    /// <summary>Attribution records, one per recommendation.</summary>
    public string Attributions { get; }

    /// <summary>Suspicious-row findings, one partition per model version.</summary>
    public string Findings { get; }

    /// <summary>The data-subject index, one partition per pseudonymised subject.</summary>
    public string Subjects { get; }

    /// <summary>Every table name.</summary>
    public IReadOnlyList<string> All => [Graph, Runs, Provenance, Recommendations, Attributions, Findings, Subjects];
}
