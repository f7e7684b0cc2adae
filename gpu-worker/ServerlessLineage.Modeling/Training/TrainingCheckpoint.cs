namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// The model's state after <see cref="Step"/> optimiser steps, for TracIn and for resuming inspection: the state dict as safetensors
/// bytes, the learning rate of the step that produced it, the mean training loss of the steps since the previous checkpoint and
/// the eval loss at this point (null without eval rows).
/// </summary>
public sealed record TrainingCheckpoint
{
    /// <summary>1-based position among the run's checkpoints.</summary>
    public required int Index { get; init; }

    /// <summary>Optimiser steps taken when the checkpoint was made (1-based count).</summary>
    public required int Step { get; init; }

    /// <summary>1-based epoch the step belongs to.</summary>
    public required int Epoch { get; init; }

    /// <summary>The learning rate the last step before this checkpoint used.</summary>
    public required double LearningRate { get; init; }

    /// <summary>
    /// Mean learning rate over the steps since the previous checkpoint. TracIn weights each checkpoint by the total step size
    /// it stands for, <see cref="MeanLearningRate"/> x <see cref="StepsSincePrevious"/>, which matters under a decaying
    /// schedule: the last step's rate is almost zero at the end of a linear decay.
    /// </summary>
    public double MeanLearningRate { get; init; }

    /// <summary>Optimiser steps since the previous checkpoint (or the start).</summary>
    public int StepsSincePrevious { get; init; }

    public required double TrainLoss { get; init; }

    public required double? EvalLoss { get; init; }

    /// <summary>The model's state dict in safetensors format.</summary>
    public required byte[] State { get; init; }
}
