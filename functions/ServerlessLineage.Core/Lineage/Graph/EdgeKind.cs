namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>
/// The relation an edge records. Every edge points from its upstream node (where data or control comes from) to its downstream
/// node; the comment on each kind says which node is which. The wire names are stored; never rename.
/// </summary>
public enum EdgeKind
{
    /// <summary>Dataset (or model) upstream, one of its versions downstream.</summary>
    VersionOf,

    /// <summary>Job upstream, one of its runs downstream.</summary>
    InstanceOf,

    /// <summary>Parent run (the orchestration) upstream, child (activity) run downstream.</summary>
    ParentRun,

    /// <summary>Dataset or model version upstream, the run that read it downstream.</summary>
    Used,

    /// <summary>Run upstream, the dataset or model version it wrote downstream.</summary>
    Produced,

    /// <summary>Source version upstream, the version derived from it downstream (row-level provenance may back it).</summary>
    DerivedFrom,

    /// <summary>Base (pretrained) model version upstream, the model version fine-tuned from it downstream.</summary>
    TrainedFrom,

    /// <summary>Model version upstream, a recommendation it generated downstream.</summary>
    GeneratedBy,
}

/// <summary>Wire names of <see cref="EdgeKind"/>.</summary>
public static class EdgeKinds
{
    public static string ToWireName(this EdgeKind kind) => kind switch
    {
        EdgeKind.VersionOf => "versionOf",
        EdgeKind.InstanceOf => "instanceOf",
        EdgeKind.ParentRun => "parentRun",
        EdgeKind.Used => "used",
        EdgeKind.Produced => "produced",
        EdgeKind.DerivedFrom => "derivedFrom",
        EdgeKind.TrainedFrom => "trainedFrom",
        EdgeKind.GeneratedBy => "generatedBy",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown edge kind."),
    };

    public static bool TryParseWireName(string? name, out EdgeKind kind)
    {
        foreach (var candidate in Enum.GetValues<EdgeKind>())
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
