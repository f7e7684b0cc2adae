using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Runtime;

/// <summary>Process-wide libtorch set-up: thread count, seeds, and the device choice (CUDA when available, overridable).</summary>
public static class TorchRuntime
{
    /// <summary>Sets libtorch's intra-op thread count explicitly (libtorch's own default oversubscribes small containers).</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        torch.set_num_threads(threads);
    }

    /// <summary>Seeds libtorch's generators (CPU and CUDA).</summary>
    public static void Seed(long seed)
    {
        torch.random.manual_seed(seed);
        if (torch.cuda.is_available())
        {
            torch.cuda.manual_seed_all(seed);
        }
    }

    /// <summary>
    /// "auto" (or null): CUDA if libtorch sees a GPU, else the CPU. "cpu", "cuda" and "cuda:N" are taken as asked; asking for
    /// CUDA without one is an error, not a silent fall-back.
    /// </summary>
    public static Device ResolveDevice(string? requested)
    {
        var text = string.IsNullOrWhiteSpace(requested) ? "auto" : requested.Trim().ToLowerInvariant();
        if (text == "auto")
        {
            return torch.cuda.is_available() ? CUDA : CPU;
        }

        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
            {
                throw new InvalidOperationException($"Device '{requested}' was asked for, but libtorch sees no CUDA device (this build uses the {Backend} backend).");
            }

            return new Device(text);
        }

        throw new ArgumentException($"Unknown device '{requested}': expected auto, cpu, cuda or cuda:N.", nameof(requested));
    }

    /// <summary>"cuda" when libtorch can use a GPU, else "cpu".</summary>
    public static string Backend => torch.cuda.is_available() ? "cuda" : "cpu";

    /// <summary>One line for logs and manifests: libtorch version, backend, threads.</summary>
    public static string Describe() =>
        $"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, backend {Backend}, {torch.get_num_threads()} threads";
}
