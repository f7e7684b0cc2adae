namespace ServerlessLineage.Core.Lineage;

/// <summary>The inputs of one output column (a value of OpenLineage <c>fields</c>).</summary>
public sealed record ColumnLineageField(IReadOnlyList<ColumnLineageInput> InputFields);
