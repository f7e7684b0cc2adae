using ServerlessLineage.Modeling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests;

public sealed class LibTorchLoadTests
{
    [Fact]
    public void LibTorchLoadsFromTheBuildOutputAndComputes()
    {
        // Fails with "doesn't contain a reference to libtorch-cpu-linux-x64" if the build's ELF fix did not apply.
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = tensor(new float[] { 4, 5, 6 });
        using var dot = a.dot(b);
        Assert.Equal(32f, dot.item<float>());
        Assert.Contains("libtorch", TorchRuntime.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceResolutionFallsBackToCpuOnlyForAuto()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("cpu").type);
        Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu"));
        if (!TorchSharp.torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("auto").type);
            Assert.Throws<InvalidOperationException>(() => TorchRuntime.ResolveDevice("cuda"));
        }
        else
        {
            Assert.Equal(DeviceType.CUDA, TorchRuntime.ResolveDevice(null).type);
        }
    }
}
