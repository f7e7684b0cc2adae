using System.Globalization;
using System.Text.RegularExpressions;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Modeling.Jobs;
using ServerlessLineage.Modeling.Training;
using ServerlessLineage.Testing;
using ServerlessLineage.Testing.Lineage;
using Xunit.Abstractions;

namespace ServerlessLineage.Modeling.Tests.Jobs;

/// <summary>
/// Prepared shop data (the real data plane, with bad rows) and one tiny-model job run on it, shared by the tests of
/// <see cref="ModelJobRunnerTests"/>: the run is the expensive part, the tests read what it wrote.
/// </summary>
public sealed class ModelJobRun : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _output = new("model-job-");

    public PreparedShopLineage Data { get; } = new();

    public TrainingJob Job { get; private set; } = null!;

    public ModelJobOutput Output { get; private set; } = null!;

    public string OutputDirectory => _output.Path;

    public List<string> Progress { get; } = [];

    public IReadOnlyList<RecommendationRecord> Recommendations { get; private set; } = null!;

    public IReadOnlyList<AttributionRecord> Attributions { get; private set; } = null!;

    public IReadOnlyList<SuspiciousRowFinding> Findings { get; private set; } = null!;

    public static TrainingJob JobFor(DatasetVersionRef examples) => new()
    {
        JobId = "job-tiny-1",
        RootRunId = RunIdsOf(PreparedShopLineage.InstanceId),
        InstanceId = PreparedShopLineage.InstanceId,
        Examples = examples,
        ModelConfiguration = "tiny",
        Epochs = 1,
        BatchSize = 32,
        Seed = 5,
        TopK = 4,
        RecommendedContexts = 12,
        ExplainedContexts = 5,
        ExplainedRanks = 2,
        InfluentialExamples = 3,
        SuspiciousRows = 15,
        OutputContainer = "models",
        OutputPrefix = "runs/job-tiny-1",
    };

    public static ModelJobOptions Options => new() { Threads = 2, Device = "cpu" };

    public async Task InitializeAsync()
    {
        await Data.InitializeAsync();
        Job = JobFor(Data.Lineage.Examples.Examples);
        Output = await ModelJobRunner.RunAsync(ExamplesPath, Job, OutputDirectory, Options, new ListProgress(Progress));
        Recommendations = await ReadAsync<RecommendationRecord>(Output.Recommendations);
        Attributions = await ReadAsync<AttributionRecord>(Output.Attributions);
        Findings = await ReadAsync<SuspiciousRowFinding>(Output.Findings);
    }

    public string ExamplesPath => Path.Combine(Data.Folder, Core.Preparation.PrepareFiles.Examples);

    public async Task<IReadOnlyList<T>> ReadAsync<T>(ModelJobArtifact artifact, string? directory = null)
        where T : class
    {
        await using var stream = File.OpenRead(artifact.PathUnder(directory ?? OutputDirectory));
        return await ModelArtifactRecords.ReadAsync<T>(stream);
    }

    public Task DisposeAsync() => Data.DisposeAsync();

    public void Dispose()
    {
        Data.Dispose();
        _output.Dispose();
    }

    private static Guid RunIdsOf(string instanceId) => Core.Lineage.Runs.RunIds.FromInstanceId(instanceId);

    /// <summary>Collects progress lines synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    public sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (lines)
            {
                lines.Add(value);
            }
        }
    }
}

public sealed partial class ModelJobRunnerTests(ModelJobRun run, ITestOutputHelper output) : IClassFixture<ModelJobRun>
{
    private static readonly string[] RunnerStages = ["attribute", "evaluate", "recommend", "train"];

    private ExampleTable Table => run.Data.Examples;

    [Fact]
    public void RunAsync_TinyJob_RecommendsTopKForTheCappedContexts()
    {
        var bySubject = run.Recommendations.GroupBy(r => r.Subject).ToList();

        Assert.Equal(run.Job.RecommendedContexts, bySubject.Count);
        Assert.Equal(bySubject.Count * run.Job.TopK, run.Output.RecommendationCount);
        var evalSubjects = Table.RowsOf(ExamplesSchema.EvalSplit).Select(r => Table.Subjects[r]).ToHashSet(StringComparer.Ordinal);
        foreach (var list in bySubject)
        {
            Assert.Contains(list.Key, evalSubjects);
            Assert.Equal(Enumerable.Range(1, run.Job.TopK), list.Select(r => r.Rank));
            Assert.True(list.Zip(list.Skip(1)).All(p => p.First.Score >= p.Second.Score), "scores descend with rank");
            Assert.Equal(run.Job.TopK, list.Select(r => r.ItemId).Distinct(StringComparer.Ordinal).Count());
            Assert.All(list, r => Assert.Equal(NodeId.ModelVersion(ModelJobOptions.DefaultModelName, run.Output.ModelVersion), r.ModelVersion));
            Assert.All(list, r => Assert.False(string.IsNullOrEmpty(r.SessionId)));
        }
    }

    [Fact]
    public void RunAsync_TinyJob_ExplainsTheTopRanksOfTheFirstContexts()
    {
        var explainedSubjects = run.Recommendations.Select(r => r.Subject).Distinct(StringComparer.Ordinal).Take(run.Job.ExplainedContexts).ToList();
        var expected = run.Recommendations.Where(r => explainedSubjects.Contains(r.Subject) && r.Rank <= run.Job.ExplainedRanks).Select(r => r.Id).ToList();

        Assert.Equal(expected, run.Attributions.Select(a => a.Recommendation));
        Assert.Equal(expected.Count, run.Output.AttributionCount);
        foreach (var attribution in run.Attributions)
        {
            var recommendation = run.Recommendations.Single(r => r.Id == attribution.Recommendation);
            Assert.Equal((recommendation.Subject, recommendation.ItemId, recommendation.ModelVersion), (attribution.Subject, attribution.ItemId, attribution.ModelVersion));
            Assert.Equal(NodeId.DatasetVersion(run.Job.Examples), attribution.TrainingExamples);
            Assert.Contains(attribution.Tokens, t => t.Segment == "context");
            Assert.Contains(attribution.Tokens, t => t.Segment == "item");
            Assert.Equal(ExampleFeatures.Names, attribution.Features.Select(f => f.Name));
        }
    }

    [Fact]
    public void RunAsync_TinyJob_InfluentialExamplesAreTrainingRowsNamedByTheirDatasetOrdinal()
    {
        var train = Table.RowsOf(ExamplesSchema.TrainSplit).ToHashSet();

        foreach (var attribution in run.Attributions)
        {
            Assert.NotEmpty(attribution.TopExamples);
            Assert.True(attribution.TopExamples.Count <= 2 * run.Job.InfluentialExamples);
            foreach (var example in attribution.TopExamples)
            {
                var ordinal = checked((int)example.ExampleOrdinal);
                Assert.Contains(ordinal, train);
                Assert.Equal(Table.ExampleIds[ordinal].ToString(CultureInfo.InvariantCulture), example.ExampleId);
                Assert.Equal(Table.Labels[ordinal], example.Label);
                Assert.InRange(example.Score, -1.0000001, 1.0000001); // cosine-normalised per checkpoint, weights summing to 1 or less
            }

            // Proponents (positive, strongest first), then opponents (negative, strongest first).
            var proponents = attribution.TopExamples.TakeWhile(e => e.Score > 0).ToList();
            var opponents = attribution.TopExamples.Skip(proponents.Count).ToList();
            Assert.All(opponents, e => Assert.True(e.Score < 0));
            Assert.True(proponents.Zip(proponents.Skip(1)).All(p => p.First.Score >= p.Second.Score));
            Assert.True(opponents.Zip(opponents.Skip(1)).All(p => p.First.Score <= p.Second.Score));
        }
    }

    [Fact]
    public void RunAsync_TinyJob_IntegratedGradientsAreCompleteAndTheErrorIsReported()
    {
        Assert.NotNull(run.Output.MeanIgCompletenessError);
        var errors = new List<double>();
        foreach (var attribution in run.Attributions)
        {
            var ig = attribution.Method[ModelJobRunner.IntegratedGradientsMethod];
            var error = ig.GetProperty("completenessError").GetDouble();
            var difference = ig.GetProperty("logit").GetDouble() - ig.GetProperty("baselineLogit").GetDouble();
            var total = attribution.Tokens.Sum(t => t.Score) + attribution.Features.Sum(f => f.Score);
            Assert.True(error < 0.01, $"completeness error {error}");
            Assert.Equal(difference, total, Math.Max(Math.Abs(difference), 1e-4) * error * 1.001 + 1e-9);
            errors.Add(error);
        }

        Assert.Equal(errors.Average(), run.Output.MeanIgCompletenessError!.Value, 12);
    }

    [Fact]
    public void RunAsync_TinyJob_FindingsAreTheMostSelfInfluentialTrainingRows()
    {
        var train = Table.RowsOf(ExamplesSchema.TrainSplit).ToHashSet();

        Assert.Equal(Math.Min(run.Job.SuspiciousRows, train.Count), run.Findings.Count);
        Assert.Equal(run.Findings.Count, run.Output.FindingCount);
        Assert.Equal(Enumerable.Range(1, run.Findings.Count), run.Findings.Select(f => f.Rank));
        Assert.True(run.Findings.Zip(run.Findings.Skip(1)).All(p => p.First.SelfInfluence >= p.Second.SelfInfluence));
        Assert.Equal(run.Findings.Count, run.Findings.Select(f => f.ExampleOrdinal).Distinct().Count());
        Assert.All(run.Findings, f =>
        {
            Assert.Contains((int)f.ExampleOrdinal, train);
            Assert.Equal(Table.Labels[f.ExampleOrdinal], f.Label);
            Assert.True(f.SelfInfluence > 0);
        });
    }

    [Fact]
    public void RunAsync_TinyJob_ArtifactsMatchTheirHashesAndTheModelVersionIsTheWeights()
    {
        foreach (var artifact in run.Output.Artifacts)
        {
            var bytes = File.ReadAllBytes(artifact.PathUnder(run.OutputDirectory));
            Assert.Equal(artifact.Sha256, Sha256Digest.Compute(bytes));
            Assert.Equal(artifact.Length, bytes.Length);
        }

        Assert.Equal("sha256:" + run.Output.Weights.Sha256.Hex, run.Output.ModelVersion);
        Assert.Equal(TrainingOptions.MinimumCheckpoints, run.Output.Checkpoints.Count);
        using var model = TrainingArtifacts.LoadModel(Path.Combine(run.OutputDirectory, ModelJobRunner.TrainingFolder), out var manifest);
        Assert.Equal(run.Output.Weights.Sha256, manifest.FinalModel.Sha256);
        Assert.Equal(run.Job.Examples.Sha256, manifest.Data.ExamplesSha256);
        Assert.Equal(RunnerStages, run.Output.StageSeconds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("cpu", run.Output.Device);
        Assert.Null(run.Output.BaseModel);
        Assert.Contains(run.Progress, p => p.StartsWith("train: step", StringComparison.Ordinal));
        output.WriteLine(string.Join(Environment.NewLine, run.Progress));
        output.WriteLine(string.Join(", ", run.Output.StageSeconds.Select(s => $"{s.Key} {s.Value:0.00} s")));
    }

    [Fact]
    public async Task RunAsync_SameJobAgain_WritesTheSameWeightsAndRecords()
    {
        using var again = new TempDirectory("model-job-again-");

        var output = await ModelJobRunner.RunAsync(run.ExamplesPath, run.Job, again.Path, ModelJobRun.Options);

        Assert.Equal(run.Output.Weights, output.Weights);
        Assert.Equal(run.Output.Checkpoints, output.Checkpoints);
        Assert.Equal(run.Output.Recommendations, output.Recommendations);
        Assert.Equal(run.Output.Attributions, output.Attributions);
        Assert.Equal(run.Output.Findings, output.Findings);
        Assert.Equal(run.Output.Metrics, output.Metrics);
    }

    [Fact]
    public async Task RunAsync_FileIsNotTheJobsExamplesVersion_ThrowsBeforeTraining()
    {
        using var output = new TempDirectory("model-job-wrong-");
        var job = run.Job with { Examples = run.Job.Examples with { Sha256 = Sha256Digest.Compute("other"u8) } };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelJobRunner.RunAsync(run.ExamplesPath, job, output.Path, ModelJobRun.Options));

        Assert.Contains(job.Examples.Version, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output.Path));
    }

    [Fact]
    public async Task ToManifest_RecordedWithTheDataPlane_TracesARecommendationToRawLinesOfItsTrainingExamples()
    {
        var store = await run.Data.RecordDataPlaneAsync();
        var manifest = run.Output.ToManifest(run.Job, artifact => new DatasetVersionRef(
            run.Job.OutputContainer, $"{run.Job.OutputPrefix}/{artifact.RelativePath}", artifact.Sha256, artifact.Length, "wasbs://models@devstoreaccount1.blob.core.windows.net", artifact.RelativePath));
        Assert.Empty(manifest.Validate());
        var parsed = ModelArtifactsManifest.Parse(manifest.ToJson());
        var lineage = parsed.ToModelLineage(
            "https://devstoreaccount1.blob.core.windows.net/models/" + parsed.Weights.BlobName,
            run.Recommendations,
            run.Attributions,
            run.Findings,
            new ActivityTiming(parsed.EndedAt, parsed.EndedAt.AddSeconds(1)));

        await new ModelLineageRecorder(store).RecordModelAsync(lineage);
        var trace = await new RowTraceQuery(store).TraceRecommendationAsync(run.Attributions[0].Recommendation);

        Assert.True(trace.HasAttribution);
        Assert.NotEmpty(trace.TopExamples);
        var rawEvents = NodeId.DatasetVersion(run.Data.Lineage.Cleaning.RawEvents);
        var rawLines = await File.ReadAllLinesAsync(run.Data.Data.Generated.EventsPath);
        var pseudonymizer = PreparedShopLineage.CreatePseudonymizer();
        foreach (var example in trace.TopExamples)
        {
            Assert.NotEmpty(example.CleanedRows);
            var lines = Assert.Single(example.RawLines, l => l.Dataset.Id == rawEvents);
            Assert.NotEmpty(lines.Lines);
            // Every raw line behind a training example is an event of the example's own (pseudonymised) user.
            var subject = Table.Subjects[example.ExampleOrdinal];
            Assert.All(lines.Lines, line => Assert.Equal(subject, pseudonymizer.Pseudonymize(UserId().Match(rawLines[line - 1]).Value)));
        }
    }

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserId();
}
