using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Tests.TestData;
using ServerlessLineage.Modeling.Training;
using ServerlessLineage.Testing;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public sealed class TrainerTrainingTests(PreparedShopData data)
{
    private ExampleTable Table => data.Examples;

    [Fact]
    public void Train_TinyForFourEpochs_LowersTheTrainingLoss()
    {
        random.manual_seed(1);
        using var model = RankingModel.Create(ModelConfiguration.Tiny);
        var options = TrainingTestSupport.CpuOptions with { Epochs = 4, BatchSize = 16, LearningRate = 1e-3 };
        using var trainer = new Trainer(model, options);
        var train = TrainingTestSupport.Rows(Table, ExamplesSchema.TrainSplit, 96);
        var eval = TrainingTestSupport.Rows(Table, ExamplesSchema.EvalSplit, 32);
        var (mean, std) = Data.ExampleTensors.FeatureStatistics(Table, train);
        model.SetFeatureNormalization(mean, std);
        var before = trainer.EvaluateLoss(Table, train);
        var reports = new List<TrainingProgress>();

        var result = trainer.Train(Table, train, eval, new SynchronousProgress(reports.Add));

        var after = trainer.EvaluateLoss(Table, train);
        Assert.True(after < 0.9 * before, $"training loss went from {before:F4} to {after:F4}");
        Assert.Equal(24, result.TotalSteps);
        Assert.Equal(24, result.StepsCompleted);
        Assert.Equal(Enumerable.Range(1, 24), reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.GradientNorm > 0));
        // Evaluated at every epoch end (6, 12, 18, 24) and at every checkpoint (8, 16, 24).
        Assert.Equal([6, 8, 12, 16, 18, 24], result.Evaluations.Select(e => e.Step));
        Assert.True(model.training, "the trainer leaves the model in training mode after evaluating");
    }

    [Fact]
    public void Train_EvalLossRisingWithPatience_StopsEarlyAndRestoresTheBestWeights()
    {
        // Training only on engaged rows while evaluating only on ignored ones drives the eval loss up from the first steps.
        var positives = Enumerable.Range(0, Table.Count).Where(i => Table.Labels[i] == 1).Take(64).ToArray();
        var negatives = Enumerable.Range(0, Table.Count).Where(i => Table.Labels[i] == 0).Take(32).ToArray();
        random.manual_seed(2);
        using var model = new RankingModel(TrainingTestSupport.MicroTopLayer);
        var options = TrainingTestSupport.CpuOptions with { Epochs = 3, BatchSize = 16, LearningRate = 3e-3, EvalEverySteps = 1, Patience = 2 };
        using var trainer = new Trainer(model, options);

        var result = trainer.Train(Table, positives, negatives);

        Assert.True(result.StoppedEarly);
        Assert.True(result.StepsCompleted < result.TotalSteps, $"{result.StepsCompleted} of {result.TotalSteps} steps");
        Assert.True(result.RestoredBest);
        var best = result.Evaluations.MinBy(e => e.EvalLoss);
        Assert.Equal(best.Step, result.BestStep);
        Assert.Equal(best.EvalLoss, result.BestEvalLoss);
        Assert.True(result.Evaluations[^1].EvalLoss > best.EvalLoss);
        Assert.Equal(best.EvalLoss, trainer.EvaluateLoss(Table, negatives), 5);
        Assert.Equal(result.StepsCompleted, result.Checkpoints[^1].Step);
    }

    [Fact]
    public void Train_ThreeCheckpoints_AtEvenStepsWithTheirLearningRatesAndLoadableStates()
    {
        random.manual_seed(3);
        using var model = new RankingModel(TrainingTestSupport.MicroTopLayer);
        var options = TrainingTestSupport.CpuOptions with { Epochs = 3, BatchSize = 16, LearningRate = 2e-3, WarmupFraction = 0.2 };
        using var trainer = new Trainer(model, options);
        var train = TrainingTestSupport.Rows(Table, ExamplesSchema.TrainSplit, 48);
        var eval = TrainingTestSupport.Rows(Table, ExamplesSchema.EvalSplit, 16);

        var result = trainer.Train(Table, train, eval);

        var schedule = LearningRateSchedule.WithWarmupFraction(options.LearningRate, result.TotalSteps, options.WarmupFraction);
        Assert.Equal([3, 6, 9], result.Checkpoints.Select(c => c.Step));
        Assert.Equal([1, 2, 3], result.Checkpoints.Select(c => c.Epoch));
        Assert.Equal([1, 2, 3], result.Checkpoints.Select(c => c.Index));
        Assert.All(result.Checkpoints, c => Assert.Equal(schedule.At(c.Step - 1), c.LearningRate));
        Assert.All(result.Checkpoints, c => Assert.True(c.EvalLoss is > 0 && double.IsFinite(c.TrainLoss)));
        Assert.Equal(3, result.Checkpoints.Select(c => Sha256Digest.Compute(c.State)).Distinct().Count());

        // The last checkpoint is the final model; an earlier one loads into a fresh model and gives different outputs.
        using var last = new RankingModel(TrainingTestSupport.MicroTopLayer);
        Safetensors.LoadModule(last, result.Checkpoints[^1].State);
        using var first = new RankingModel(TrainingTestSupport.MicroTopLayer);
        var metadata = Safetensors.LoadModule(first, result.Checkpoints[0].State);
        Assert.Equal("3", metadata["step"]);
        model.eval();
        last.eval();
        first.eval();
        using var scope = NewDisposeScope();
        using var batch = Data.ExampleTensors.Batch(Table, eval);
        using var noGrad = no_grad();
        Assert.True(model.Forward(batch).allclose(last.Forward(batch), 0, 0));
        Assert.False(model.Forward(batch).allclose(first.Forward(batch)));
    }

    [Fact]
    public async Task Write_TrainedRun_WritesCheckpointsModelAndAVerifiableManifest()
    {
        random.manual_seed(4);
        using var model = new RankingModel(TrainingTestSupport.MicroTopLayer);
        var options = TrainingTestSupport.CpuOptions with { Epochs = 1, BatchSize = 8, CheckpointCount = 4 };
        using var trainer = new Trainer(model, options);
        var train = TrainingTestSupport.Rows(Table, ExamplesSchema.TrainSplit, 32);
        var eval = TrainingTestSupport.Rows(Table, ExamplesSchema.EvalSplit, 8);
        var result = trainer.Train(Table, train, eval);
        var dataVersion = await TrainingDataVersion.ForFileAsync(data.ExamplesPath, train.Length, eval.Length);
        using var directory = new TempDirectory("training-output-");

        var written = TrainingArtifacts.Write(directory.Path, model, options, result, dataVersion, new Dictionary<string, double> { ["auc"] = 0.5 });

        var manifest = TrainingManifest.Read(directory.Path);
        Assert.Empty(TrainingArtifacts.Verify(directory.Path, manifest));
        Assert.Equal(["ckpt-1.safetensors", "ckpt-2.safetensors", "ckpt-3.safetensors", "ckpt-4.safetensors"],
            Directory.GetFiles(directory.Combine("checkpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(written.Checkpoints.Select(c => (c.Step, c.LearningRate)), manifest.Checkpoints.Select(c => (c.Step, c.LearningRate)));
        Assert.Equal("micro-top", manifest.Model.Configuration);
        Assert.Equal(1, manifest.Model.TrainableLayers);
        Assert.Equal(TrainingTestSupport.Micro.Bert, manifest.Model.Bert);
        Assert.Equal(options, manifest.Options with { });
        Assert.Equal(Sha256Digest.Compute(await File.ReadAllBytesAsync(data.ExamplesPath)), manifest.Data.ExamplesSha256);
        Assert.Equal(0.5, manifest.Metrics.Evaluation["auc"]);
        Assert.Equal(result.FinalTrainLoss, manifest.Metrics.FinalTrainLoss);
        Assert.Contains("libtorch", manifest.LibTorch, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory.Path, "*.tmp", SearchOption.AllDirectories));

        using (var loaded = TrainingArtifacts.LoadModel(directory.Path, out _))
        using (var batch = Data.ExampleTensors.Batch(Table, eval))
        using (no_grad())
        {
            model.eval();
            loaded.eval();
            using var expected = model.Forward(batch);
            using var actual = loaded.Forward(batch);
            Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
        }

        var checkpoints = TrainingArtifacts.LoadCheckpoints(directory.Path);
        Assert.Equal(result.Checkpoints.Select(c => c.State), checkpoints.Select(c => c.State));
        Assert.Equal(result.Checkpoints.Select(c => c.MeanLearningRate), checkpoints.Select(c => c.MeanLearningRate));
        Assert.All(checkpoints, c => Assert.True(c.MeanLearningRate > 0 && c.StepsSincePrevious > 0));

        File.WriteAllBytes(directory.Combine("checkpoints", "ckpt-2.safetensors"), [1, 2, 3]);
        Assert.Single(TrainingArtifacts.Verify(directory.Path, manifest));
        var refused = Assert.Throws<InvalidDataException>(() => TrainingArtifacts.LoadModel(directory.Path, out _));
        Assert.Contains("ckpt-2.safetensors", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_Cancelled_ThrowsOperationCanceled()
    {
        using var model = new RankingModel(TrainingTestSupport.MicroTopLayer);
        using var trainer = new Trainer(model, TrainingTestSupport.CpuOptions with { Epochs = 2, BatchSize = 8 });
        using var cancellation = new CancellationTokenSource();
        var steps = 0;
        var progress = new SynchronousProgress(p =>
        {
            steps = p.Step;
            if (p.Step == 2)
            {
                cancellation.Cancel();
            }
        });
        var train = TrainingTestSupport.Rows(Table, ExamplesSchema.TrainSplit, 40);

        Assert.Throws<OperationCanceledException>(() => trainer.Train(Table, train, [], progress, cancellation.Token));
        Assert.Equal(2, steps);
    }

    /// <summary>Reports on the training thread, unlike <see cref="Progress{T}"/>, so a test sees every report before Train returns.</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
