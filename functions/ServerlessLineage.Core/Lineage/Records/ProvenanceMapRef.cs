using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Records;

/// <summary>
/// Names one row-provenance map between two dataset versions: keys are row ordinals of <paramref name="KeyDataset"/>, values are
/// rows (or 1-based source lines) of <paramref name="ValueDataset"/>. E.g. cleaned rows -> raw lines (a RowLine map), examples ->
/// cleaned rows and cleaned rows -> examples (RowSet maps).
/// </summary>
public readonly record struct ProvenanceMapRef(NodeId KeyDataset, NodeId ValueDataset)
{
    public override string ToString() => $"{KeyDataset} -> {ValueDataset}";
}
