using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Training;
using static TorchSharp.torch;

namespace ServerlessLineage.LocalHost.Benchmarks;

/// <summary>Figures of one configuration: step times of both implementations and their ratio.</summary>
public sealed record TrainStepFigures(
    string Configuration,
    int Batch,
    int SequenceLength,
    int Threads,
    long TrainableParameters,
    double TorchSharpMedianMs,
    double PyTorchMedianMs,
    double TorchSharpMeanMs,
    double PyTorchMeanMs,
    double TorchSharpExamplesPerSecond,
    double PyTorchExamplesPerSecond,
    double Ratio,
    IReadOnlyList<double> RoundRatios,
    string PyTorchVersion);

/// <summary>
/// Times single training steps (forward, BCE loss, backward, clipping, AdamW) of the TorchSharp trainer against the PyTorch
/// reference script (gpu-worker/reference/pytorch_train_step.py) with the same model, batch shape and thread count. The two run
/// in alternating rounds in one run, so machine noise hits both alike; the figure is the ratio of median step times.
/// </summary>
public sealed class TrainStepBenchmark(string pythonPath, string referenceScript, TextWriter log)
{
    public int Batch { get; init; } = 32;
    public int SequenceLength { get; init; } = 32;
    public int Threads { get; init; } = 2;
    public int Rounds { get; init; } = 5;
    public int StepsPerRound { get; init; } = 10;
    public int WarmupSteps { get; init; } = 5;
    public int Seed { get; init; } = 42;

    public async Task<TrainStepFigures> RunAsync(ModelConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        TorchRuntime.SetThreads(Threads);
        TorchRuntime.Seed(Seed);
        // Weights do not change the cost of a step; the pretrained import is skipped to keep the benchmark about the step.
        using var model = new RankingModel(configuration);
        using var trainer = new Trainer(model, new TrainingOptions { Threads = Threads, Device = "cpu", Seed = Seed });
        using var batch = SyntheticBatch(configuration.Features.Count);
        var trainable = model.TrainableParameters().Sum(p => p.Parameter.numel());

        await using var reference = await PythonReference.StartAsync(pythonPath, referenceScript, configuration.Name, Batch, SequenceLength, Threads, Seed, cancellationToken);
        log.WriteLine($"  {configuration.Name}: batch {Batch} x seq {SequenceLength}, {Threads} threads, {trainable:N0} trainable parameters (PyTorch reference: {reference.Parameters:N0}), PyTorch {reference.Version}");
        if (reference.Parameters != trainable)
        {
            throw new InvalidOperationException($"The PyTorch reference trains {reference.Parameters:N0} parameters, TorchSharp {trainable:N0}: the models differ.");
        }

        // Warm-up on both sides: JIT, allocator and BLAS thread pools.
        TimeSteps(trainer, batch, WarmupSteps);
        await reference.RunAsync(WarmupSteps, cancellationToken);

        var sharp = new List<double>();
        var python = new List<double>();
        var roundRatios = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var s = TimeSteps(trainer, batch, StepsPerRound);
            var p = await reference.RunAsync(StepsPerRound, cancellationToken);
            sharp.AddRange(s);
            python.AddRange(p);
            var ratio = Median(s) / Median(p);
            roundRatios.Add(ratio);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    round {round + 1}: TorchSharp {Median(s) * 1000:0.0} ms, PyTorch {Median(p) * 1000:0.0} ms, ratio {ratio:0.000}"));
        }

        var sharpMedian = Median(sharp);
        var pythonMedian = Median(python);
        return new TrainStepFigures(
            configuration.Name, Batch, SequenceLength, Threads, trainable,
            sharpMedian * 1000, pythonMedian * 1000, sharp.Average() * 1000, python.Average() * 1000,
            Batch / sharpMedian, Batch / pythonMedian, sharpMedian / pythonMedian, roundRatios, reference.Version);
    }

    private static List<double> TimeSteps(Trainer trainer, Modeling.Ranking.RankingBatch batch, int steps)
    {
        var seconds = new List<double>(steps);
        for (var i = 0; i < steps; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var loss = trainer.Step(batch, 5e-5);
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException("The TorchSharp step produced a non-finite loss.");
            }
        }

        return seconds;
    }

    /// <summary>The same construction as the reference script: random ids with a padded last quarter, [CLS] first, two segments.</summary>
    private Modeling.Ranking.RankingBatch SyntheticBatch(int features)
    {
        var random = new Random(Seed);
        var real = Math.Max(3, SequenceLength * 3 / 4);
        var ids = new long[Batch * SequenceLength];
        var mask = new long[Batch * SequenceLength];
        var types = new long[Batch * SequenceLength];
        for (var b = 0; b < Batch; b++)
        {
            for (var t = 0; t < real; t++)
            {
                var at = (b * SequenceLength) + t;
                ids[at] = t == 0 ? 101 : random.Next(1000, 30522);
                mask[at] = 1;
                types[at] = t >= SequenceLength / 2 ? 1 : 0;
            }
        }

        var values = new float[Batch * features];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        var labels = Enumerable.Range(0, Batch).Select(_ => random.NextDouble() < 0.3 ? 1f : 0f).ToArray();
        return new Modeling.Ranking.RankingBatch(
            tensor(ids, [Batch, SequenceLength]), tensor(mask, [Batch, SequenceLength]), tensor(types, [Batch, SequenceLength]),
            tensor(values, [Batch, features]), tensor(labels), [.. Enumerable.Range(0, Batch).Select(i => (long)i)]);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The reference script as a child process, driven line by line over stdin/stdout.</summary>
    private sealed class PythonReference : IAsyncDisposable
    {
        private readonly Process process;

        private PythonReference(Process process, string version, long parameters)
        {
            this.process = process;
            Version = version;
            Parameters = parameters;
        }

        public string Version { get; }

        public long Parameters { get; }

        public static async Task<PythonReference> StartAsync(
            string python, string script, string configuration, int batch, int sequenceLength, int threads, int seed, CancellationToken cancellationToken)
        {
            var info = new ProcessStartInfo(python)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { script, "--config", configuration, "--batch", Str(batch), "--seq", Str(sequenceLength), "--threads", Str(threads), "--seed", Str(seed) })
            {
                info.ArgumentList.Add(argument);
            }

            // BLAS: Debian's alternatives select OpenBLAS once libopenblas0-pthread is installed (README); the thread count is
            // set by the script with torch.set_num_threads, as the TorchSharp side does.
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {python}.");
            var first = await process.StandardOutput.ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The PyTorch reference exited before it was ready (exit code {(process.HasExited ? process.ExitCode : -1)}); is python3-torch installed for {python}?");
            var ready = JsonSerializer.Deserialize<ReadyLine>(first) ?? throw new InvalidOperationException($"Unexpected first line from the reference: {first}");
            return new PythonReference(process, ready.Torch ?? "?", ready.Parameters);
        }

        public async Task<List<double>> RunAsync(int steps, CancellationToken cancellationToken)
        {
            await process.StandardInput.WriteLineAsync($"run {Str(steps)}".AsMemory(), cancellationToken);
            await process.StandardInput.FlushAsync(cancellationToken);
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException("The PyTorch reference exited during a round.");
            var result = JsonSerializer.Deserialize<RunLine>(line);
            return result?.Seconds is { Count: > 0 } seconds ? seconds : throw new InvalidOperationException($"Unexpected answer from the reference: {line}");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!process.HasExited)
                {
                    await process.StandardInput.WriteLineAsync("quit");
                    await process.StandardInput.FlushAsync();
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await process.WaitForExitAsync(wait.Token);
                }
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
            catch (IOException)
            {
                // The pipe is gone: the process already ended.
            }
            finally
            {
                process.Dispose();
            }
        }

        private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

        private sealed record ReadyLine([property: JsonPropertyName("torch")] string? Torch, [property: JsonPropertyName("parameters")] long Parameters);

        private sealed record RunLine([property: JsonPropertyName("seconds")] List<double>? Seconds);
    }
}
