namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Where a model version came from: the pretrained model it was fine-tuned from, the example version it was trained on, and the
/// run that produced it; each null when the store records none.
/// </summary>
public sealed record ModelUpstream(NodeRef ModelVersion, NodeRef? BaseModel, NodeRef? TrainingExamples, NodeRef? ProducedBy);
