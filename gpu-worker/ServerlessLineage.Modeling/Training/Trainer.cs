using System.Diagnostics;
using System.Globalization;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// Trains a <see cref="RankingModel"/> on the train split of an <see cref="ExampleTable"/> with binary cross-entropy on the
/// engagement logit: seeded per-epoch shuffling, <see cref="TensorAdamW"/> with a warm-up/linear-decay schedule, global-norm
/// clipping, periodic evaluation on the eval split, early stopping that restores the best weights, and checkpoints at fixed
/// fractions of the run. <see cref="Step(RankingBatch, double)"/> is public so a benchmark can time single optimiser steps.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TensorAdamW optimizer;
    private readonly List<TorchSharp.Modules.Parameter> trainable;

    /// <summary>Sets libtorch's threads, moves the model to the options' device and creates the optimiser over its trainable parameters.</summary>
    public Trainer(RankingModel model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Model = model;
        Options = options;
        TorchRuntime.SetThreads(options.Threads);
        Device = TorchRuntime.ResolveDevice(options.Device);
        model.to(Device);
        var named = model.TrainableParameters();
        trainable = [.. named.Select(p => p.Parameter)];
        optimizer = TensorAdamW.ForNamedParameters(named, options.WeightDecay);
    }

    public RankingModel Model { get; }

    public TrainingOptions Options { get; }

    public Device Device { get; }

    public TensorAdamW Optimizer => optimizer;

    /// <summary>The pre-clip global gradient norm of the last <see cref="Step(RankingBatch, double)"/>.</summary>
    public double LastGradientNorm { get; private set; }

    /// <summary>
    /// One optimiser step on a labelled batch at <paramref name="learningRate"/>: forward in training mode, mean BCE-with-logits,
    /// backward, clipping, AdamW update. Returns the batch's loss before the update. All temporaries live in a dispose scope.
    /// </summary>
    public double Step(RankingBatch batch, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Labels is null)
        {
            throw new ArgumentException("A training batch needs labels.", nameof(batch));
        }

        using var scope = NewDisposeScope();
        Model.train();
        var onDevice = batch.InputIds.device_type == Device.type ? batch : batch.To(Device);
        var logits = Model.Forward(onDevice);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, onDevice.Labels!);
        optimizer.ZeroGrad();
        loss.backward();
        LastGradientNorm = GradientClipping.ClipByGlobalNorm(trainable, Options.MaxGradNorm);
        optimizer.Step(learningRate);
        optimizer.ZeroGrad();
        return loss.item<float>();
    }

    /// <summary>One optimiser step at the options' peak learning rate (for benchmarks that time steps outside a schedule).</summary>
    public double Step(RankingBatch batch) => Step(batch, Options.LearningRate);

    /// <summary>Mean BCE-with-logits loss over <paramref name="rows"/> in evaluation mode, without autograd; the mode is restored after.</summary>
    public double EvaluateLoss(ExampleTable table, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("Evaluation needs at least one row.", nameof(rows));
        }

        var wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            var order = rows.ToArray();
            double sum = 0;
            for (var start = 0; start < order.Length; start += Options.BatchSize)
            {
                using var scope = NewDisposeScope();
                var count = Math.Min(Options.BatchSize, order.Length - start);
                var batch = ExampleTensors.Batch(table, order.AsSpan(start, count)).To(Device);
                var logits = Model.Forward(batch);
                sum += nn.functional.binary_cross_entropy_with_logits(logits, batch.Labels!, reduction: nn.Reduction.Sum).item<float>();
            }

            return sum / order.Length;
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    /// <summary>Trains on the table's train split, evaluating on its eval split.</summary>
    public TrainingResult Train(ExampleTable table, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Train(table, table.RowsOf(ExamplesSchema.TrainSplit), table.RowsOf(ExamplesSchema.EvalSplit), progress, cancellationToken);
    }

    /// <summary>
    /// Trains on the given train rows (table indices) and evaluates on the given eval rows (may be empty: then there is no
    /// evaluation and no early stopping). Sets the model's feature standardisation from the train rows first.
    /// </summary>
    public TrainingResult Train(
        ExampleTable table,
        IReadOnlyList<int> trainRows,
        IReadOnlyList<int> evalRows,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(evalRows);
        if (trainRows.Count == 0)
        {
            throw new ArgumentException("Training needs at least one train row.", nameof(trainRows));
        }

        var run = new Run(this, table, [.. trainRows], [.. evalRows], progress, cancellationToken);
        try
        {
            return run.Execute();
        }
        finally
        {
            run.Dispose();
        }
    }

    /// <summary>Releases the optimiser's moment tensors; the model belongs to the caller and is not disposed.</summary>
    public void Dispose() => optimizer.Dispose();

    private Dictionary<string, Tensor> Snapshot()
    {
        using var noGrad = no_grad();
        return Model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope(), StringComparer.Ordinal);
    }

    private void Restore(Dictionary<string, Tensor> snapshot)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in Model.state_dict())
        {
            target.copy_(snapshot[name]);
        }
    }

    /// <summary>The state of one <see cref="Train(ExampleTable, IReadOnlyList{int}, IReadOnlyList{int}, IProgress{TrainingProgress}?, CancellationToken)"/> call.</summary>
    private sealed class Run(Trainer trainer, ExampleTable table, int[] trainRows, int[] evalRows, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) : IDisposable
    {
        private readonly TrainingOptions options = trainer.Options;
        private readonly List<(int Step, double EvalLoss)> evaluations = [];
        private readonly List<TrainingCheckpoint> checkpoints = [];
        private readonly Stopwatch clock = new();
        private readonly Stopwatch stepClock = new();
        private readonly Stopwatch evalClock = new();
        private Dictionary<string, Tensor>? best;
        private double? bestLoss;
        private int? bestStep;
        private int evaluationsWithoutImprovement;
        private double lossSinceCheckpoint;
        private double learningRateSinceCheckpoint;
        private int stepsSinceCheckpoint;

        public TrainingResult Execute()
        {
            var startedAt = DateTimeOffset.UtcNow;
            clock.Start();
            var (mean, std) = ExampleTensors.FeatureStatistics(table, trainRows);
            trainer.Model.SetFeatureNormalization(mean, std);
            TorchRuntime.Seed(options.Seed);
            var shuffle = new Random(options.Seed);
            var stepsPerEpoch = (trainRows.Length + options.BatchSize - 1) / options.BatchSize;
            var totalSteps = stepsPerEpoch * options.Epochs;
            var schedule = LearningRateSchedule.WithWarmupFraction(options.LearningRate, totalSteps, options.WarmupFraction);
            var checkpointSteps = options.CheckpointSteps(totalSteps).ToHashSet();
            var evaluate = evalRows.Length > 0;
            var step = 0;
            var epoch = 0;
            var stoppedEarly = false;
            double epochLoss = 0;
            var epochSteps = 0;
            var order = (int[])trainRows.Clone();
            trainer.Model.train();

            while (epoch < options.Epochs && !stoppedEarly)
            {
                epoch++;
                shuffle.Shuffle(order);
                epochLoss = 0;
                epochSteps = 0;
                for (var start = 0; start < order.Length && !stoppedEarly; start += options.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var learningRate = schedule.At(step);
                    double loss;
                    stepClock.Start();
                    using (var batch = ExampleTensors.Batch(table, order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start))))
                    {
                        loss = trainer.Step(batch, learningRate);
                    }

                    stepClock.Stop();
                    step++;
                    epochLoss += loss;
                    epochSteps++;
                    lossSinceCheckpoint += loss;
                    learningRateSinceCheckpoint += learningRate;
                    stepsSinceCheckpoint++;

                    var endOfEpoch = start + options.BatchSize >= order.Length;
                    var due = options.EvalEverySteps is { } every ? step % every == 0 : endOfEpoch;
                    double? evalLoss = null;
                    if (evaluate && (due || step == totalSteps || checkpointSteps.Contains(step)))
                    {
                        evalLoss = Evaluate(step);
                        stoppedEarly = options.Patience is { } patience && evaluationsWithoutImprovement >= patience && step < totalSteps;
                    }

                    if (checkpointSteps.Contains(step) || (stoppedEarly && step < checkpointSteps.Max()))
                    {
                        Checkpoint(step, epoch, learningRate, evalLoss);
                    }

                    progress?.Report(new TrainingProgress(step, totalSteps, epoch, learningRate, loss, trainer.LastGradientNorm, evalLoss, clock.Elapsed));
                }
            }

            var restored = false;
            double? finalEval = evaluations.Count > 0 ? evaluations[^1].EvalLoss : null;
            if (options.Patience is not null && best is not null && bestStep != step)
            {
                trainer.Restore(best);
                restored = true;
                finalEval = bestLoss;
            }

            clock.Stop();
            return new TrainingResult
            {
                TotalSteps = totalSteps,
                StepsCompleted = step,
                EpochsCompleted = epoch,
                StoppedEarly = stoppedEarly,
                FinalTrainLoss = epochSteps > 0 ? epochLoss / epochSteps : double.NaN,
                FinalEvalLoss = finalEval,
                BestEvalLoss = bestLoss,
                BestStep = bestStep,
                RestoredBest = restored,
                Evaluations = evaluations,
                Checkpoints = checkpoints,
                TrainRows = trainRows.Length,
                EvalRows = evalRows.Length,
                StartedAt = startedAt,
                Elapsed = clock.Elapsed,
                StepTime = stepClock.Elapsed,
                EvaluationTime = evalClock.Elapsed,
            };
        }

        public void Dispose() => ReleaseBest();

        private void ReleaseBest()
        {
            if (best is null)
            {
                return;
            }

            foreach (var tensor in best.Values)
            {
                tensor.Dispose();
            }

            best = null;
        }

        private double Evaluate(int step)
        {
            evalClock.Start();
            var loss = trainer.EvaluateLoss(table, evalRows);
            evalClock.Stop();
            evaluations.Add((step, loss));
            if (bestLoss is null || loss < bestLoss)
            {
                bestLoss = loss;
                bestStep = step;
                evaluationsWithoutImprovement = 0;
                if (options.Patience is not null)
                {
                    // Only early stopping needs the best weights kept aside.
                    ReleaseBest();
                    best = trainer.Snapshot();
                }
            }
            else
            {
                evaluationsWithoutImprovement++;
            }

            return loss;
        }

        private void Checkpoint(int step, int epoch, double learningRate, double? evalLoss)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["configuration"] = trainer.Model.Configuration.Name,
                ["step"] = step.ToString(CultureInfo.InvariantCulture),
                ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
                ["learning_rate"] = learningRate.ToString("R", CultureInfo.InvariantCulture),
            };
            checkpoints.Add(new TrainingCheckpoint
            {
                Index = checkpoints.Count + 1,
                Step = step,
                Epoch = epoch,
                LearningRate = learningRate,
                TrainLoss = lossSinceCheckpoint / Math.Max(1, stepsSinceCheckpoint),
                MeanLearningRate = learningRateSinceCheckpoint / Math.Max(1, stepsSinceCheckpoint),
                StepsSincePrevious = stepsSinceCheckpoint,
                EvalLoss = evalLoss,
                State = Safetensors.SerializeModule(trainer.Model, metadata),
            });
            lossSinceCheckpoint = 0;
            learningRateSinceCheckpoint = 0;
            stepsSinceCheckpoint = 0;
        }
    }
}
