namespace ServerlessLineage.Core.Lineage;

/// <summary>Collects column mappings for one output dataset; output columns come out in ordinal order for stable JSON.</summary>
public sealed class ColumnLineageBuilder
{
    private readonly SortedDictionary<string, List<ColumnLineageInput>> _fields = new(StringComparer.Ordinal);
    private readonly List<ColumnLineageInput> _dataset = [];

    /// <summary>Records that <paramref name="outputColumn"/> depends on one input field.</summary>
    public ColumnLineageBuilder Add(
        string outputColumn, string inputNamespace, string inputName, string inputField, params ColumnTransformation[] transformations)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumn);
        var input = CreateInput(inputNamespace, inputName, inputField, transformations);
        if (!_fields.TryGetValue(outputColumn, out var inputs))
        {
            inputs = [];
            _fields.Add(outputColumn, inputs);
        }

        inputs.Add(input);
        return this;
    }

    /// <summary>Records an input field that affects the whole dataset (a filter, join key or sort key).</summary>
    public ColumnLineageBuilder AddDatasetDependency(
        string inputNamespace, string inputName, string inputField, params ColumnTransformation[] transformations)
    {
        _dataset.Add(CreateInput(inputNamespace, inputName, inputField, transformations));
        return this;
    }

    public ColumnLineage Build() => new(
        _fields.ToDictionary(f => f.Key, f => new ColumnLineageField([.. f.Value]), StringComparer.Ordinal),
        _dataset.Count == 0 ? null : [.. _dataset]);

    private static ColumnLineageInput CreateInput(
        string inputNamespace, string inputName, string inputField, ColumnTransformation[] transformations)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputNamespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputField);
        ArgumentNullException.ThrowIfNull(transformations);
        return new ColumnLineageInput(inputNamespace, inputName, inputField, [.. transformations]);
    }
}
