using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Text;
using ServerlessLineage.Modeling.Attribution;
using ServerlessLineage.Modeling.Evaluation;
using ServerlessLineage.Modeling.Pretrained;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Training;
using static TorchSharp.torch;
using LineageFeature = ServerlessLineage.Core.Lineage.Records.FeatureAttribution;
using LineageInfluence = ServerlessLineage.Core.Lineage.Records.InfluentialExample;
using LineageToken = ServerlessLineage.Core.Lineage.Records.TokenAttribution;
using TrainingResult = ServerlessLineage.Modeling.Training.TrainingResult;

namespace ServerlessLineage.Modeling.Jobs;

/// <summary>
/// Runs one training job on a local examples file, start to finish: train the job's model configuration on the training split
/// (checkpoints kept for TracIn), evaluate it against the popularity baseline, recommend the top K items for each evaluation
/// context, explain the top recommendations of the first contexts (Integrated Gradients over tokens and features, TracIn
/// proponents and opponents, cosine-normalised), rank every training example by self-influence, and write the weights,
/// checkpoints, the trainer's manifest and the JSON-lines records into an output folder.
/// <para>
/// Records name the model version (<c>sha256:</c> of the weights) and the job's examples version; training examples are named
/// by their row ordinal in the examples dataset (its <c>example_id</c>), the key its row provenance uses, so an attribution
/// traces on to cleaned rows and raw lines. Deterministic for a job on one machine: libtorch is seeded from the job, every
/// ordering has a tie-break, and the records carry no timings. libtorch's generator is process-wide, so run one job at a time.
/// </para>
/// </summary>
public static class ModelJobRunner
{
    /// <summary>Folder of the trainer's output (weights, checkpoints, its manifest) inside the output folder.</summary>
    public const string TrainingFolder = "training";

    public const string RecommendationsFile = "recommendations.jsonl";
    public const string AttributionsFile = "attributions.jsonl";
    public const string FindingsFile = "findings.jsonl";

    /// <summary>Name, version and source of the pretrained base model in lineage.</summary>
    public static BaseModelInfo PretrainedBaseModel { get; } = new(
        "all-minilm-l6-v2",
        "sha256:" + PretrainedModelSource.OnnxSha256,
        $"{PretrainedModelSource.ModelName} ONNX graph from NuGet {PretrainedModelSource.PackageId} {PretrainedModelSource.PackageVersion}");

    public const string IntegratedGradientsMethod = "integratedGradients";
    public const string TracInMethod = "tracIn";

    private const int TracInQueryBatch = 32;

    /// <summary>
    /// Runs <paramref name="job"/> on <paramref name="examplesPath"/> (the job's examples version, whose SHA-256 is checked) and
    /// writes into <paramref name="outputDirectory"/>. Progress lines go to <paramref name="progress"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not the job's examples version, or it lacks a split.</exception>
    /// <exception cref="ArgumentException">The job or the options are invalid.</exception>
    public static async Task<ModelJobOutput> RunAsync(
        string examplesPath,
        TrainingJob job,
        string outputDirectory,
        ModelJobOptions? options = null,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(examplesPath);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        options ??= new ModelJobOptions();
        options.Validate();
        var errors = job.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"The training job is not valid: {string.Join(" ", errors)}", nameof(job));
        }

        var startedAt = DateTimeOffset.UtcNow;
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        // Train.
        var configuration = ModelConfiguration.FromName(job.ModelConfiguration);
        var trainingOptions = new TrainingOptions
        {
            Epochs = job.Epochs,
            BatchSize = job.BatchSize,
            LearningRate = job.LearningRate ?? configuration.DefaultLearningRate,
            Seed = job.Seed,
            Threads = options.Threads,
            Device = options.Device,
            CheckpointCount = options.Checkpoints,
        };
        trainingOptions.Validate();
        var device = TorchRuntime.ResolveDevice(options.Device);
        var table = await ExamplesReader.ReadAsync(examplesPath, cancellationToken);
        var data = await TrainingDataVersion.ForFileAsync(examplesPath, 0, 0, job.Examples.Version, cancellationToken);
        if (data.ExamplesSha256 != job.Examples.Sha256)
        {
            throw new InvalidDataException($"{examplesPath} is not the job's examples version: it hashes to sha256:{data.ExamplesSha256?.Hex}, the job names {job.Examples.Version}.");
        }

        var trainRows = table.RowsOf(ExamplesSchema.TrainSplit);
        var evalRows = table.RowsOf(ExamplesSchema.EvalSplit);
        if (trainRows.Length == 0 || evalRows.Length == 0)
        {
            throw new InvalidDataException($"The examples dataset needs both splits (train {trainRows.Length}, eval {evalRows.Length} examples).");
        }

        data = data with { ExamplesPath = $"{job.Examples.Container}/{job.Examples.BlobName}", TrainRows = trainRows.Length, EvalRows = evalRows.Length };
        progress?.Report(Invariant($"train: {configuration.Name}, {trainRows.Length:N0} train / {evalRows.Length:N0} eval examples, {job.Epochs} epochs, {DeviceName(device)}; {TorchRuntime.Describe()}"));
        TorchRuntime.SetThreads(options.Threads);
        TorchRuntime.Seed(job.Seed);
        using var model = RankingModel.Create(configuration);
        TrainingResult trained;
        using (var trainer = new Trainer(model, trainingOptions))
        {
            trained = trainer.Train(table, trainRows, evalRows, new StepProgress(progress), cancellationToken);
        }

        stages["train"] = Lap(clock);

        // Evaluate, and write the trainer's folder (weights, checkpoints, its manifest with the evaluation metrics).
        var scorer = new ModelScorer(model, device);
        var evaluation = ModelEvaluator.Evaluate(scorer, table, evalRows, ExamplesSchema.EvalSplit);
        var trainingFolder = Path.Combine(outputDirectory, TrainingFolder);
        var trainingManifest = TrainingArtifacts.Write(trainingFolder, model, trainingOptions, trained, data, evaluation.ToMetrics());
        progress?.Report(Invariant($"evaluate: AUC {evaluation.Model.Auc:0.000} (baseline {evaluation.Baseline.Auc:0.000}), NDCG@10 {evaluation.Model.NdcgAt10:0.000} (baseline {evaluation.Baseline.NdcgAt10:0.000})"));
        stages["evaluate"] = Lap(clock);

        var modelVersion = NodeId.ModelVersion(options.ModelName, "sha256:" + trainingManifest.FinalModel.Sha256.Hex);
        var examplesVersion = NodeId.DatasetVersion(job.Examples);

        // Recommend.
        var encoder = new BertPairEncoder(table.SequenceLength);
        var recommender = new Recommender(scorer, table, encoder);
        var sessions = LatestEvalSessions(table);
        var contexts = recommender.SubjectsWithEvalContext.Take(job.RecommendedContexts ?? int.MaxValue).ToList();
        var recommended = new List<(string Subject, IReadOnlyList<Recommendation> Items)>(contexts.Count);
        foreach (var subject in contexts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            recommended.Add((subject, recommender.Recommend(subject, job.TopK)));
        }

        RecommendationRecord[] recommendations =
        [
            .. recommended.SelectMany(r => r.Items).Select(r => new RecommendationRecord
            {
                ModelVersion = modelVersion,
                Subject = r.Subject,
                ItemId = r.ItemId,
                Rank = r.Rank,
                Score = r.Score,
                SessionId = sessions[r.Subject],
            }),
        ];
        WriteRecords(outputDirectory, RecommendationsFile, recommendations);
        progress?.Report(Invariant($"recommend: top {job.TopK} of {recommender.Candidates.Count:N0} items for {contexts.Count:N0} evaluation contexts"));
        stages["recommend"] = Lap(clock);

        // Attribute: TracIn over the checkpoints (factors of every training row), then IG and TracIn per explained recommendation.
        var explained = recommended.Take(job.ExplainedContexts).SelectMany(r => r.Items.Take(job.ExplainedRanks)).ToList();
        var checkpoints = trained.Checkpoints.Select(TracInCheckpoint.FromTraining).ToList();
        AttributionRecord[] attributions;
        SuspiciousRowFinding[] findings;
        List<double> completenessErrors;
        try
        {
            using var cache = TracInCache.Build(model, checkpoints, table, trainRows);
            var tracIn = new TracIn(model, checkpoints, cache);
            var influences = new List<InfluenceExplanation>(explained.Count);
            foreach (var chunk in explained.Chunk(TracInQueryBatch))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var batch = RecommendationInput.ToBatch([.. chunk.Select(r => r.Input)], 0, chunk.Length);
                using var onDevice = batch.To(device);
                influences.AddRange(tracIn.Explain(onDevice, job.InfluentialExamples));
            }

            var integratedGradients = new IntegratedGradients(model, encoder, options.IntegratedGradients);
            var records = new List<AttributionRecord>(explained.Count);
            completenessErrors = new List<double>(explained.Count);
            for (var i = 0; i < explained.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var recommendation = explained[i];
                IntegratedGradientsExplanation ig;
                using (var batch = recommendation.Input.ToBatch())
                using (var onDevice = batch.To(device))
                {
                    ig = integratedGradients.Explain(onDevice);
                }

                completenessErrors.Add(ig.CompletenessError);
                records.Add(ToRecord(recommendation, ig, influences[i], modelVersion, examplesVersion, table, trainRows, checkpoints.Count));
                if ((i + 1) % 10 == 0 || i + 1 == explained.Count)
                {
                    progress?.Report(Invariant($"attribute: {i + 1}/{explained.Count} recommendations explained"));
                }
            }

            attributions = [.. records];
            findings =
            [
                .. cache.SelfInfluence().Take(job.SuspiciousRows).Select((e, k) =>
                {
                    var ordinal = trainRows[e.Row];
                    return new SuspiciousRowFinding(modelVersion, examplesVersion, ordinal, ExampleIdText(table, ordinal), table.Labels[ordinal], e.Score, k + 1);
                }),
            ];
        }
        finally
        {
            checkpoints.ForEach(c => c.Dispose());
        }

        WriteRecords(outputDirectory, AttributionsFile, attributions);
        WriteRecords(outputDirectory, FindingsFile, findings);
        progress?.Report(Invariant($"attribute: {attributions.Length} explanations, {findings.Length} suspicious rows by self-influence over {trainRows.Length:N0} training examples"));
        stages["attribute"] = Lap(clock);

        return new ModelJobOutput
        {
            Weights = ModelJobArtifact.Of(outputDirectory, $"{TrainingFolder}/{trainingManifest.FinalModel.File}"),
            Checkpoints = [.. trainingManifest.Checkpoints.Select(c => ModelJobArtifact.Of(outputDirectory, $"{TrainingFolder}/{c.File}"))],
            TrainingManifest = ModelJobArtifact.Of(outputDirectory, $"{TrainingFolder}/{TrainingManifest.FileName}"),
            Recommendations = ModelJobArtifact.Of(outputDirectory, RecommendationsFile),
            Attributions = ModelJobArtifact.Of(outputDirectory, AttributionsFile),
            Findings = ModelJobArtifact.Of(outputDirectory, FindingsFile),
            ModelConfiguration = configuration.Name,
            ModelName = options.ModelName,
            BaseModel = configuration.Pretrained ? PretrainedBaseModel : null,
            HyperParameters = HyperParameters(job, trainingOptions, options),
            Metrics = Metrics(evaluation, trained),
            TrainingExamplesPerSubject = trainRows.GroupBy(r => table.Subjects[r], StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal),
            AttributionMethods = [IntegratedGradientsMethod, TracInMethod],
            MeanIgCompletenessError = completenessErrors.Count > 0 ? completenessErrors.Average() : null,
            RecommendationCount = recommendations.Length,
            AttributionCount = attributions.Length,
            FindingCount = findings.Length,
            StageSeconds = stages,
            Device = DeviceName(device),
            StartedAt = startedAt,
            EndedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary><c>cpu</c>, or <c>cuda:N</c> (index 0 when libtorch names the current device without one).</summary>
    public static string DeviceName(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.type == TorchSharp.DeviceType.CUDA ? $"cuda:{Math.Max(0, (int)device.index)}" : "cpu";
    }

    private static AttributionRecord ToRecord(
        Recommendation recommendation,
        IntegratedGradientsExplanation ig,
        InfluenceExplanation influence,
        NodeId modelVersion,
        NodeId examplesVersion,
        ExampleTable table,
        int[] trainRows,
        int checkpoints)
    {
        LineageInfluence Example(Attribution.InfluentialExample e)
        {
            var ordinal = trainRows[e.Row];
            return new LineageInfluence(ordinal, ExampleIdText(table, ordinal), table.Labels[ordinal], e.Score);
        }

        return new AttributionRecord
        {
            Recommendation = NodeId.Recommendation(modelVersion, recommendation.Subject, recommendation.ItemId),
            ModelVersion = modelVersion,
            TrainingExamples = examplesVersion,
            Subject = recommendation.Subject,
            ItemId = recommendation.ItemId,
            Tokens = [.. ig.Tokens.Select(t => new LineageToken(t.Position, t.Text, SegmentName(t.Segment), t.Attribution))],
            Features = [.. ig.Features.Select(f => new LineageFeature(f.Name, f.Value, f.Attribution))],
            TopExamples = [.. influence.Proponents.Select(Example), .. influence.Opponents.Select(Example)],
            Method = FacetSet.Empty
                .With(IntegratedGradientsMethod, new
                {
                    baseline = "[PAD] embeddings for non-special tokens; training mean for features",
                    steps = ig.Steps,
                    completenessError = ig.CompletenessError,
                    converged = ig.Converged,
                    logit = ig.Logit,
                    baselineLogit = ig.BaselineLogit,
                })
                .With(TracInMethod, new
                {
                    layers = new[] { TracInLayer.PoolerDense, TracInLayer.HeadHidden, TracInLayer.HeadOutput },
                    checkpoints,
                    normalization = "cosine",
                    label = influence.Label,
                    proponents = influence.Proponents.Count,
                    opponents = influence.Opponents.Count,
                }),
        };
    }

    private static string SegmentName(TextSegment segment) => segment switch
    {
        TextSegment.Context => "context",
        TextSegment.Item => "item",
        _ => "special",
    };

    private static string ExampleIdText(ExampleTable table, int row) => table.ExampleIds[row].ToString(CultureInfo.InvariantCulture);

    /// <summary>The session of each subject's most recent evaluation impression (the context it is recommended for).</summary>
    private static Dictionary<string, string> LatestEvalSessions(ExampleTable table)
    {
        var latest = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in table.RowsOf(ExamplesSchema.EvalSplit))
        {
            var subject = table.Subjects[row];
            if (!latest.TryGetValue(subject, out var current)
                || table.Timestamps[row] > table.Timestamps[current]
                || (table.Timestamps[row] == table.Timestamps[current] && table.ExampleIds[row] > table.ExampleIds[current]))
            {
                latest[subject] = row;
            }
        }

        return latest.ToDictionary(p => p.Key, p => table.SessionIds[p.Value], StringComparer.Ordinal);
    }

    private static Dictionary<string, JsonElement> HyperParameters(TrainingJob job, TrainingOptions training, ModelJobOptions options)
    {
        static JsonElement Value<T>(T value) => JsonSerializer.SerializeToElement(value, JobMessages.JsonOptions);
        var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["configuration"] = Value(job.ModelConfiguration),
            ["epochs"] = Value(training.Epochs),
            ["batchSize"] = Value(training.BatchSize),
            ["learningRate"] = Value(training.LearningRate),
            ["warmupFraction"] = Value(training.WarmupFraction),
            ["weightDecay"] = Value(training.WeightDecay),
            ["maxGradNorm"] = Value(training.MaxGradNorm),
            ["seed"] = Value(training.Seed),
            ["checkpoints"] = Value(training.CheckpointCount),
            ["threads"] = Value(options.Threads),
            ["topK"] = Value(job.TopK),
            ["influentialExamples"] = Value(job.InfluentialExamples),
            ["suspiciousRows"] = Value(job.SuspiciousRows),
            ["explainedContexts"] = Value(job.ExplainedContexts),
            ["explainedRanks"] = Value(job.ExplainedRanks),
            ["tracInNormalization"] = Value("cosine"),
        };
        if (job.RecommendedContexts is { } recommendedContexts)
        {
            parameters["recommendedContexts"] = Value(recommendedContexts);
        }

        return parameters;
    }

    private static Dictionary<string, double> Metrics(EvaluationReport evaluation, TrainingResult trained)
    {
        var metrics = new Dictionary<string, double>(evaluation.ToMetrics(), StringComparer.Ordinal)
        {
            ["finalTrainLoss"] = trained.FinalTrainLoss,
            ["stepsCompleted"] = trained.StepsCompleted,
            ["trainExamples"] = trained.TrainRows,
            ["evalExamples"] = trained.EvalRows,
        };
        if (trained.FinalEvalLoss is { } evalLoss)
        {
            metrics["finalEvalLoss"] = evalLoss;
        }

        return metrics;
    }

    private static void WriteRecords<T>(string outputDirectory, string fileName, IEnumerable<T> records) =>
        AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, fileName), ModelArtifactRecords.ToBytes(records));

    private static double Lap(Stopwatch clock)
    {
        var seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        clock.Restart();
        return seconds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reports about ten training steps per run, synchronously on the training thread.</summary>
    private sealed class StepProgress(IProgress<string>? lines) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (lines is not null && (value.Step % Math.Max(1, value.TotalSteps / 10) == 0 || value.Step == value.TotalSteps))
            {
                lines.Report(Invariant($"train: step {value.Step}/{value.TotalSteps} epoch {value.Epoch} loss {value.Loss:0.0000} lr {value.LearningRate:0.0e0}"));
            }
        }
    }
}
