using System.Text.Json;
using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// A model version a run produced: its <c>serverlessLineage_modelMetrics</c> facet (from the model version, else from the run
/// that produced it; <see cref="MetricsSource"/> names which) and how many suspicious-row findings it has.
/// </summary>
public sealed record ModelSummary(NodeRef ModelVersion, JsonElement? Metrics, NodeId? MetricsSource, int FindingCount);
