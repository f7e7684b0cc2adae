using ServerlessLineage.Modeling.Ranking;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// One training checkpoint for TracIn: a deep copy of the model's state (parameters and buffers, on the CPU) and the learning
/// rate in effect at that point of training.
/// </summary>
public sealed class TracInCheckpoint : IDisposable
{
    private readonly Dictionary<string, Tensor> _state;

    public TracInCheckpoint(IReadOnlyDictionary<string, Tensor> state, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive and finite.");
        }

        using var scope = NewDisposeScope();
        _state = state.ToDictionary(p => p.Key, p => p.Value.detach().cpu().clone().DetachFromDisposeScope());
        LearningRate = learningRate;
    }

    public double LearningRate { get; }

    /// <summary>The copied state dict (owned by this checkpoint).</summary>
    public IReadOnlyDictionary<string, Tensor> State => _state;

    /// <summary>Copies <paramref name="model"/>'s current weights.</summary>
    public static TracInCheckpoint Capture(RankingModel model, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new TracInCheckpoint(model.state_dict(), learningRate);
    }

    /// <summary>
    /// A TracIn checkpoint from a training checkpoint: its weights, weighted by the step size it stands for (mean learning rate
    /// over its interval x the interval's steps), so that the checkpoint sum approximates TracIn's sum over every step.
    /// </summary>
    public static TracInCheckpoint FromTraining(Training.TrainingCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var weight = checkpoint.MeanLearningRate > 0 && checkpoint.StepsSincePrevious > 0
            ? checkpoint.MeanLearningRate * checkpoint.StepsSincePrevious
            : checkpoint.LearningRate;
        var state = Training.Safetensors.ReadTensors(checkpoint.State);
        try
        {
            return new TracInCheckpoint(state, weight);
        }
        finally
        {
            foreach (var tensor in state.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Writes these weights into <paramref name="model"/> (strict: every name must match).</summary>
    public void LoadInto(RankingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.load_state_dict(_state, strict: true);
    }

    public void Dispose()
    {
        foreach (var t in _state.Values)
        {
            t.Dispose();
        }
    }
}
