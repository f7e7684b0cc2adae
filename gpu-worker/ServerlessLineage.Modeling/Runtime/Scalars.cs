using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Runtime;

/// <summary>
/// Scalars that stay reachable for the whole process. TorchSharp turns every number handed to a tensor operation into a native
/// Scalar, including the hidden alpha = 1 of <c>a + b</c>, <c>a - b</c>, <c>add(t)</c> and <c>add_(t)</c>; such a temporary
/// can be finalised on the GC thread while the native call still reads it, which crashes at random ("Expected false to be
/// true", see PLATFORM-NOTES.md). Tensor arithmetic in this library passes these instead: <c>a.add(b, Scalars.One)</c>.
/// </summary>
public static class Scalars
{
    public static Scalar One { get; } = 1.ToScalar();

    public static Scalar Zero { get; } = 0.ToScalar();

    /// <summary>The smallest positive float, the floor of a norm product before dividing by it.</summary>
    public static Scalar FloatEpsilon { get; } = float.Epsilon.ToScalar();
}
