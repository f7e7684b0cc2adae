using ServerlessLineage.Modeling.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Training;

public sealed class GradientClippingTrainingTests
{
    private static readonly float[] ThreeZero = [3f, 0f];
    private static readonly float[] Four = [4f];
    private static readonly float[] SmallGradient = [0.3f, 0.4f];

    [Fact]
    public void ClipByGlobalNorm_AboveMax_ReturnsPreClipNormAndScalesToMax()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2));
        var b = new Parameter(zeros(1));
        var c = new Parameter(zeros(3));
        a.grad = tensor(ThreeZero);
        b.grad = tensor(Four);
        // c has no gradient: it is skipped, not an error.
        var norm = GradientClipping.ClipByGlobalNorm([a, b, c], 1.0);
        Assert.Equal(5.0, norm, 5);
        Assert.Equal([0.6f, 0f], a.grad!.data<float>().ToArray(), new ToleranceComparer(1e-5f));
        Assert.Equal(0.8f, b.grad!.item<float>(), 5);
    }

    [Fact]
    public void ClipByGlobalNorm_BelowMaxOrInfinite_LeavesGradientsAlone()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2));
        a.grad = tensor(SmallGradient);
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm([a], 1.0), 5);
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm([a], double.PositiveInfinity), 5);
        Assert.Equal([0.3f, 0.4f], a.grad!.data<float>().ToArray(), new ToleranceComparer(1e-6f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], 0));
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
