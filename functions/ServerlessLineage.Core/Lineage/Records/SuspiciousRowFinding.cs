using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Records;

/// <summary>
/// A data-quality finding from self-influence: a training example whose own gradient is unusually large for the trained model,
/// typical of mislabelled or noisy rows. <paramref name="Rank"/> is 1 for the most suspicious row.
/// </summary>
public sealed record SuspiciousRowFinding(
    NodeId ModelVersion,
    NodeId TrainingExamples,
    long ExampleOrdinal,
    string ExampleId,
    int Label,
    double SelfInfluence,
    int Rank);
