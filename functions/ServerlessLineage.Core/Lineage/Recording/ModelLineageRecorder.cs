using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using OL = ServerlessLineage.Core.Lineage.OpenLineage.OpenLineageFacets;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// Records a training's lineage in an <see cref="ILineageStore"/> in the shared layout: the training run and the model version
/// it produced from the examples (and from a pretrained base model), the record-lineage run, the recommendations the model
/// generated, their attributions, the suspicious-row findings and the data-subject index. Idempotent: recording the same
/// training again changes nothing; recording different facts for the same model version throws
/// <see cref="LineageConflictException"/> from the store.
/// </summary>
public sealed class ModelLineageRecorder
{
    private readonly ILineageStore _store;
    private readonly LineageWriter _writer;

    /// <summary>Creates a recorder over <paramref name="store"/>.</summary>
    public ModelLineageRecorder(ILineageStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _writer = new LineageWriter(store);
    }

    /// <summary>
    /// Records <paramref name="model"/>. The inputs are checked first (one model version throughout, pseudonymised subjects,
    /// example ordinals inside the examples version when its row count is recorded); then the graph, records and subject
    /// entries are written, the training run is COMPLETED, and the record-lineage run is COMPLETED last.
    /// </summary>
    public async Task<RunRecord> RecordModelAsync(ModelLineage model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(model.Training);
        ArgumentNullException.ThrowIfNull(model.Model);
        var modelId = model.Model.Id;
        Validate(model, modelId);
        await RequireOrdinalsInsideExamplesAsync(model, cancellationToken);

        var (ns, root) = (model.JobNamespace, model.RootRunId);
        var training = model.Training.Timing;
        // The training run first: one that already FAILED (e.g. timed out) stops the recording before it starts.
        await _writer.StartAsync(LineageWriter.ActivityRun(root, ns, LineageNames.TrainModelJob, training.StartedAt), training.StartedAt, cancellationToken);
        var recording = LineageWriter.ActivityRun(root, ns, LineageNames.RecordModelLineageJob, model.Recording.StartedAt);
        await _writer.StartAsync(recording, model.Recording.StartedAt, cancellationToken);

        var hyperParameters = HyperParametersFacet(model.Training.HyperParameters);
        var metrics = ModelMetricsFacet(model.Training.Metrics);
        var trainingRun = NodeId.Run(model.TrainingRunId);
        var recordingRun = NodeId.Run(model.RecordingRunId);
        var batch = LineageWriter.ActivityGraph(root, ns, LineageNames.TrainModelJob)
            .Add(LineageWriter.ActivityGraph(root, ns, LineageNames.RecordModelLineageJob));
        var version = new LineageNode
        {
            Id = modelId,
            Name = model.Model.Name,
            Version = model.Model.Version,
            CreatedAt = training.EndedAt,
            Facets = FacetSet.Empty
                .With(OL.ModelMetrics, metrics)
                .With(OL.HyperParameters, hyperParameters)
                .With(LineageNames.ModelArtifactFacet, OL.CustomFacet(LineageNames.ModelArtifactFacet, new JsonObject
                {
                    ["uri"] = model.Model.ArtifactUri,
                    ["sha256"] = model.Model.ArtifactSha256.Hex,
                })),
        };
        AddModelVersion(batch, version);
        batch.Add(model.ExamplesVersion, trainingRun, EdgeKind.Used).Add(trainingRun, modelId, EdgeKind.Produced)
            .Add(model.ExamplesVersion, modelId, EdgeKind.DerivedFrom).Add(modelId, recordingRun, EdgeKind.Used);
        if (model.BaseModel is { } baseModel)
        {
            AddModelVersion(batch, new LineageNode
            {
                Id = baseModel.Id,
                Name = baseModel.Name,
                Version = baseModel.Version,
                Facets = FacetSet.Empty.With(
                    LineageNames.ModelArtifactFacet,
                    OL.CustomFacet(LineageNames.ModelArtifactFacet, new JsonObject { ["source"] = baseModel.Source })),
            });
            batch.Add(baseModel.Id, trainingRun, EdgeKind.Used).Add(baseModel.Id, modelId, EdgeKind.TrainedFrom);
        }

        foreach (var recommendation in model.Recommendations)
        {
            batch.Add(new LineageNode { Id = recommendation.Id, Name = recommendation.ItemId })
                .Add(modelId, recommendation.Id, EdgeKind.GeneratedBy);
        }

        // A version named by its weights' SHA-256 is content-addressed: the same bytes trained again (same examples, seed and
        // settings, in another run) are the same version, so the stored description stays and this run's edges are added. A
        // version named otherwise is a name: another description under it is a real conflict.
        var contentAddressed = string.Equals(model.Model.Version, "sha256:" + model.Model.ArtifactSha256.Hex, StringComparison.OrdinalIgnoreCase);
        await _writer.WriteGraphAsync(batch, contentAddressed ? [modelId] : [], cancellationToken);
        await _store.WriteRecommendationsAsync([.. model.Recommendations], cancellationToken);
        await _store.WriteAttributionsAsync([.. model.Attributions], cancellationToken);
        await _store.WriteFindingsAsync([.. model.Findings], cancellationToken);
        await _store.WriteSubjectEntriesAsync(
            [
                .. model.TrainingExamplesPerSubject.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new SubjectEntry(s.Key, modelId, s.Value)),
                .. model.Recommendations.Select(r => new SubjectEntry(r.Subject, r.Id, 1)),
            ],
            cancellationToken);

        await _writer.FinishAsync(
            model.TrainingRunId,
            new RunTransition(RunState.Completed, training.EndedAt, Facets: FacetSet.Empty.With(OL.HyperParameters, hyperParameters).With(OL.ModelMetrics, metrics)),
            cancellationToken);
        return await _writer.FinishAsync(
            recording.RunId,
            new RunTransition(RunState.Completed, model.Recording.EndedAt, Facets: FacetSet.Empty.With(OL.AttributionSummary, AttributionSummary(model))),
            cancellationToken);
    }

    private static void AddModelVersion(LineageBatch batch, LineageNode version)
    {
        var model = new LineageNode { Id = version.Id.Unversioned, Name = version.Name };
        batch.Add(model).Add(version).Add(model.Id, version.Id, EdgeKind.VersionOf);
    }

    private static JsonObject HyperParametersFacet(IReadOnlyDictionary<string, object?> parameters)
    {
        var values = new JsonObject();
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            values[name] = value switch
            {
                double d => DatasetFacets.Number(d),
                float f => DatasetFacets.Number(f),
                _ => JsonSerializer.SerializeToNode(value, OL.JsonOptions),
            };
        }

        return OL.CustomFacet(OL.HyperParameters, new JsonObject { ["parameters"] = values });
    }

    private static JsonObject ModelMetricsFacet(IReadOnlyDictionary<string, double> metrics)
    {
        var values = new JsonObject();
        foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            values[name] = DatasetFacets.Number(value);
        }

        return OL.CustomFacet(OL.ModelMetrics, new JsonObject { ["metrics"] = values });
    }

    private static JsonObject AttributionSummary(ModelLineage model)
    {
        var body = new JsonObject
        {
            ["recommendations"] = model.Recommendations.Count,
            ["subjects"] = model.Recommendations.Select(r => r.Subject).Distinct(StringComparer.Ordinal).Count(),
            ["attributions"] = model.Attributions.Count,
            ["influentialExamples"] = model.Attributions.Sum(a => a.TopExamples.Count),
            ["findings"] = model.Findings.Count,
            ["methods"] = new JsonArray([.. model.AttributionMethods.Select(m => JsonValue.Create(m))]),
        };
        if (model.MeanIgCompletenessError is { } error)
        {
            body["meanIgCompletenessError"] = DatasetFacets.Number(error);
        }

        return OL.CustomFacet(OL.AttributionSummary, body);
    }

    private static void Validate(ModelLineage model, NodeId modelId)
    {
        if (model.ExamplesVersion.IsEmpty || model.ExamplesVersion.Type != NodeType.DatasetVersion)
        {
            throw new ArgumentException($"The examples are a dataset version; got '{model.ExamplesVersion}'.", nameof(model));
        }

        var recommendations = new Dictionary<NodeId, RecommendationRecord>();
        foreach (var r in model.Recommendations)
        {
            Require(r.ModelVersion == modelId, $"Recommendation {r.Id} is of model {r.ModelVersion}, not {modelId}.");
            Require(r.Rank >= 1, $"Recommendation {r.Id} has rank {r.Rank}; ranks start at 1.");
            LineageWriter.RequireSubject(r.Subject, nameof(model));
            Require(recommendations.TryAdd(r.Id, r) || recommendations[r.Id] == r, $"Recommendation {r.Id} appears twice with different contents.");
        }

        foreach (var a in model.Attributions)
        {
            Require(a.ModelVersion == modelId, $"The attribution of {a.Recommendation} is of model {a.ModelVersion}, not {modelId}.");
            Require(a.TrainingExamples == model.ExamplesVersion, $"The attribution of {a.Recommendation} indexes {a.TrainingExamples}, not the training examples {model.ExamplesVersion}.");
            Require(
                recommendations.TryGetValue(a.Recommendation, out var r) && r.Subject == a.Subject && r.ItemId == a.ItemId,
                $"The attribution of {a.Recommendation} explains no recommendation recorded here (subject and item must match).");
            Require(a.TopExamples.All(e => e.ExampleOrdinal >= 0), $"The attribution of {a.Recommendation} has a negative example ordinal.");
        }

        foreach (var f in model.Findings)
        {
            Require(f.ModelVersion == modelId, $"Finding for example {f.ExampleOrdinal} is of model {f.ModelVersion}, not {modelId}.");
            Require(f.TrainingExamples == model.ExamplesVersion, $"Finding for example {f.ExampleOrdinal} indexes {f.TrainingExamples}, not {model.ExamplesVersion}.");
            Require(f.ExampleOrdinal >= 0, $"Finding has a negative example ordinal {f.ExampleOrdinal}.");
        }

        LineageWriter.RequireSubjectCounts(model.TrainingExamplesPerSubject, null, nameof(model));
        if (model.BaseModel is { } baseModel)
        {
            Require(baseModel.Id != modelId, $"A model version is not its own base model ({modelId}).");
            ArgumentException.ThrowIfNullOrEmpty(baseModel.Source, nameof(model));
        }
    }

    // Ordinals are rows of the examples version; when its row count is recorded, one past it is a caller's mistake.
    private async Task RequireOrdinalsInsideExamplesAsync(ModelLineage model, CancellationToken cancellationToken)
    {
        var examples = await _store.GetNodeAsync(model.ExamplesVersion, cancellationToken);
        if (examples is null || !examples.Facets.TryGetValue(OL.OutputStatistics, out var statistics)
            || !statistics.TryGetProperty("rowCount", out var rowCount) || !rowCount.TryGetInt64(out var rows))
        {
            return;
        }

        var largest = model.Attributions.SelectMany(a => a.TopExamples.Select(e => e.ExampleOrdinal)).Concat(model.Findings.Select(f => f.ExampleOrdinal)).DefaultIfEmpty(-1).Max();
        Require(largest < rows, $"Example ordinal {largest} is outside {model.ExamplesVersion}, which has {rows} rows.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
