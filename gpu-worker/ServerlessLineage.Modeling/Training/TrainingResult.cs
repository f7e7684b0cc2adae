namespace ServerlessLineage.Modeling.Training;

/// <summary>What a training run produced besides the trained model: losses, evaluations, checkpoints and timings.</summary>
public sealed record TrainingResult
{
    public required int TotalSteps { get; init; }

    /// <summary>Steps actually taken (fewer than planned when early stopping ended the run).</summary>
    public required int StepsCompleted { get; init; }

    public required int EpochsCompleted { get; init; }

    public required bool StoppedEarly { get; init; }

    /// <summary>Mean training loss over the steps of the last (possibly partial) epoch.</summary>
    public required double FinalTrainLoss { get; init; }

    /// <summary>Eval loss of the returned model (the best evaluation when early stopping is on); null without eval rows.</summary>
    public required double? FinalEvalLoss { get; init; }

    public required double? BestEvalLoss { get; init; }

    /// <summary>The step whose weights scored <see cref="BestEvalLoss"/>.</summary>
    public required int? BestStep { get; init; }

    /// <summary>Whether the model was reset to the best evaluation's weights at the end.</summary>
    public required bool RestoredBest { get; init; }

    /// <summary>Every evaluation: (step, eval loss).</summary>
    public required IReadOnlyList<(int Step, double EvalLoss)> Evaluations { get; init; }

    public required IReadOnlyList<TrainingCheckpoint> Checkpoints { get; init; }

    public required int TrainRows { get; init; }

    public required int EvalRows { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>Wall time spent in optimiser steps (forward, backward, clipping, update).</summary>
    public required TimeSpan StepTime { get; init; }

    /// <summary>Wall time spent evaluating.</summary>
    public required TimeSpan EvaluationTime { get; init; }
}
