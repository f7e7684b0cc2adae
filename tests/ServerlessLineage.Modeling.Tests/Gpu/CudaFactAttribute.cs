namespace ServerlessLineage.Modeling.Tests.Gpu;

/// <summary>
/// A fact that needs a CUDA device. Without one it is reported as skipped, with the reason, rather than passing vacuously:
/// the development machines and CI have no GPU and build against the CPU libtorch package; the GPU worker's image builds with
/// <c>-p:TorchBackend=cuda</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!TorchSharp.torch.cuda.is_available())
        {
            Skip = "GPU-only: libtorch sees no CUDA device here (CPU libtorch build or no GPU). Runs where CUDA is available.";
        }
    }
}
