using TorchSharp.Modules;

namespace ServerlessLineage.Modeling.Training;

/// <summary>Parameters that share one weight decay in <see cref="TensorAdamW"/>.</summary>
public sealed record AdamWParameterGroup(IReadOnlyList<Parameter> Parameters, double WeightDecay);
