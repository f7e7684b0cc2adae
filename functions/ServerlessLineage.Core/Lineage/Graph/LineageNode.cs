namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>
/// A lineage node: its id, its OpenLineage identity where it has one (namespace, name, version) and its facets. Immutable once
/// written: writing the same node again is a no-op, writing a different one under the same id is an error.
/// </summary>
public sealed record LineageNode
{
    public required NodeId Id { get; init; }

    public NodeType Type => Id.Type;

    /// <summary>OpenLineage namespace (datasets, jobs) or null.</summary>
    public string? Namespace { get; init; }

    /// <summary>OpenLineage name (datasets, jobs), model name, or a readable label.</summary>
    public string? Name { get; init; }

    /// <summary>Version label: <c>sha256:&lt;hex&gt;</c> for dataset versions, the model version for model versions.</summary>
    public string? Version { get; init; }

    /// <summary>When the node came into being (a version's creation, a run's creation).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    public FacetSet Facets { get; init; } = FacetSet.Empty;

    /// <summary>Same id, identity and facets. Facets compare by canonical JSON.</summary>
    public bool Equals(LineageNode? other) =>
        other is not null && Id == other.Id && Namespace == other.Namespace && Name == other.Name && Version == other.Version
        && CreatedAt == other.CreatedAt && Facets.Equals(other.Facets);

    public override int GetHashCode() => HashCode.Combine(Id, Namespace, Name, Version, CreatedAt, Facets);
}
