using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Preparation;

/// <summary>Everything a prepare run produced and measured; written as <c>manifest.json</c> beside the outputs.</summary>
public sealed record PrepareResult
{
    public required DateTimeOffset RunStartedAt { get; init; }

    /// <summary>Fingerprint of the pseudonymisation key (not the key).</summary>
    public required string PseudonymisationKeyId { get; init; }

    public required IReadOnlyList<PreparedDataset> Inputs { get; init; }

    public required IReadOnlyList<PreparedDataset> Outputs { get; init; }

    public required CleaningMetrics Events { get; init; }

    public required CleaningMetrics Catalog { get; init; }

    public required ExampleMetrics Examples { get; init; }

    /// <summary>Sizes of the row-provenance maps, by file name.</summary>
    public required IReadOnlyDictionary<string, ProvenanceSize> Provenance { get; init; }

    /// <summary>Column lineage of each output dataset, by dataset name.</summary>
    public required IReadOnlyDictionary<string, ColumnLineage> ColumnLineage { get; init; }

    /// <summary>Seconds spent per stage.</summary>
    public required IReadOnlyDictionary<string, double> Timings { get; init; }

    public required ExampleOptions ExampleOptions { get; init; }
}
