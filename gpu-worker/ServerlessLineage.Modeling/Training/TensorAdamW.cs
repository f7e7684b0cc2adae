using ServerlessLineage.Modeling.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// AdamW (decoupled weight decay, bias-corrected moments) over first and second moment tensors this optimiser owns, with the same
/// arithmetic as torch.optim.AdamW. It creates no implicit <see cref="Scalar"/>s: the constants are kept for its lifetime and the
/// per-step values (which change with the learning rate and the step count) are created explicitly and disposed within the step,
/// because TorchSharp 0.107 can crash when the GC finalises temporary Scalars on its own thread.
/// </summary>
public sealed class TensorAdamW : IDisposable
{
    private readonly List<Slot> slots = [];
    private readonly Scalar beta1;
    private readonly Scalar beta2;
    private readonly Scalar oneMinusBeta1;
    private readonly Scalar oneMinusBeta2;
    private readonly Scalar epsilon;
    private bool disposed;

    /// <summary>Creates the optimiser and its zero-initialised moment tensors (on each parameter's device).</summary>
    public TensorAdamW(IEnumerable<AdamWParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), "betas must be in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        Groups = [.. groups];
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        this.beta1 = beta1.ToScalar();
        this.beta2 = beta2.ToScalar();
        oneMinusBeta1 = (1 - beta1).ToScalar();
        oneMinusBeta2 = (1 - beta2).ToScalar();
        this.epsilon = epsilon.ToScalar();
        using (no_grad())
        {
            foreach (var group in Groups)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(group.WeightDecay);
                foreach (var parameter in group.Parameters)
                {
                    // The moments must outlive whatever dispose scope the caller constructs this optimiser in.
                    var first = zeros_like(parameter).DetachFromDisposeScope();
                    var second = zeros_like(parameter).DetachFromDisposeScope();
                    slots.Add(new Slot(parameter, group.WeightDecay, first, second));
                }
            }
        }
    }

    /// <summary>The parameter groups, each with its weight decay.</summary>
    public IReadOnlyList<AdamWParameterGroup> Groups { get; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    /// <summary>Optimiser steps taken (a parameter without a gradient at a step keeps its own, smaller count).</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Two groups in the usual transformer split: weight decay on weight matrices and embeddings, none on biases and LayerNorm
    /// weights (see <see cref="DecaysWeight"/>).
    /// </summary>
    public static TensorAdamW ForNamedParameters(IEnumerable<(string Name, Parameter Parameter)> parameters, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        return new TensorAdamW(
            [
                new AdamWParameterGroup([.. list.Where(p => DecaysWeight(p.Name)).Select(p => p.Parameter)], weightDecay),
                new AdamWParameterGroup([.. list.Where(p => !DecaysWeight(p.Name)).Select(p => p.Parameter)], 0),
            ],
            beta1,
            beta2,
            epsilon);
    }

    /// <summary>False for biases and LayerNorm parameters (Hugging Face naming: `*.bias`, `*.LayerNorm.weight`), true otherwise.</summary>
    public static bool DecaysWeight(string parameterName)
    {
        ArgumentNullException.ThrowIfNull(parameterName);
        var segments = parameterName.Split('.');
        return segments[^1] != "bias" && !segments.Any(s => s.Equals("LayerNorm", StringComparison.OrdinalIgnoreCase) || s.Equals("layer_norm", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>One AdamW update of every parameter that has a gradient, at <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        Steps++;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var slot in slots)
        {
            var grad = slot.Parameter.grad;
            if (grad is null)
            {
                continue;
            }

            slot.Steps++;
            var biasCorrection1 = 1 - Math.Pow(Beta1, slot.Steps);
            var biasCorrection2 = 1 - Math.Pow(Beta2, slot.Steps);
            using var decay = (1 - (learningRate * slot.WeightDecay)).ToScalar();
            using var rootCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            using var negativeStepSize = (-learningRate / biasCorrection1).ToScalar();

            slot.Parameter.mul_(decay);
            slot.FirstMoment.mul_(beta1).add_(grad, oneMinusBeta1);
            slot.SecondMoment.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            // add_(Scalar) alone passes a temporary alpha Scalar that the GC may free mid-call (PLATFORM-NOTES): give it ours.
            var denominator = slot.SecondMoment.sqrt().div_(rootCorrection2).add_(epsilon, Scalars.One);
            slot.Parameter.addcdiv_(slot.FirstMoment, denominator, negativeStepSize);
        }
    }

    /// <summary>Drops every parameter's gradient (set to none, as torch's default zero_grad does).</summary>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        foreach (var slot in slots)
        {
            using var grad = slot.Parameter.grad;
            if (grad is not null)
            {
                slot.Parameter.grad = null;
            }
        }
    }

    /// <summary>The first and second moment of a parameter (owned by the optimiser: do not dispose).</summary>
    public (Tensor FirstMoment, Tensor SecondMoment) MomentsOf(Parameter parameter)
    {
        var slot = slots.FirstOrDefault(s => ReferenceEquals(s.Parameter, parameter) || s.Parameter.Handle == parameter.Handle)
            ?? throw new ArgumentException("The parameter is not optimised by this optimiser.", nameof(parameter));
        return (slot.FirstMoment, slot.SecondMoment);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var slot in slots)
        {
            slot.FirstMoment.Dispose();
            slot.SecondMoment.Dispose();
        }

        beta1.Dispose();
        beta2.Dispose();
        oneMinusBeta1.Dispose();
        oneMinusBeta2.Dispose();
        epsilon.Dispose();
    }

    private sealed class Slot(Parameter parameter, double weightDecay, Tensor firstMoment, Tensor secondMoment)
    {
        public Parameter Parameter { get; } = parameter;
        public double WeightDecay { get; } = weightDecay;
        public Tensor FirstMoment { get; } = firstMoment;
        public Tensor SecondMoment { get; } = secondMoment;
        public long Steps { get; set; }
    }
}
