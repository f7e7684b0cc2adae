namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// Reported after every optimiser step: 1-based step and epoch, the learning rate the step used, its loss and pre-clip gradient
/// norm, and the eval loss when the step ended with an evaluation.
/// </summary>
public sealed record TrainingProgress(
    int Step,
    int TotalSteps,
    int Epoch,
    double LearningRate,
    double Loss,
    double GradientNorm,
    double? EvalLoss,
    TimeSpan Elapsed);
