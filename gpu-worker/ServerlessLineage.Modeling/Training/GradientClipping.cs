using TorchSharp;
using TorchSharp.Modules;

namespace ServerlessLineage.Modeling.Training;

/// <summary>Gradient clipping by the global L2 norm over all parameters.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (norm + 1e-6)) in place and returns the norm before clipping. Parameters without
    /// a gradient are skipped. Delegates to libtorch's clip_grad_norm_, which takes plain doubles: no implicit Scalar is created.
    /// A <paramref name="maxNorm"/> of +infinity measures without clipping.
    /// </summary>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "the maximum norm must be positive.");
        }

        var list = parameters.ToList();
        return list.Count == 0 ? 0 : torch.nn.utils.clip_grad_norm_(list, maxNorm);
    }
}
