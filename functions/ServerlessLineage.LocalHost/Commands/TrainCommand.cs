using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Training;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary><c>lineage train</c>: fine-tune a ranking model on prepared examples, evaluate it, write weights, checkpoints and manifest.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var examples = new Option<FileSystemInfo>("--examples") { Description = "examples.parquet, or the folder `prepare` wrote it into.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for model.safetensors, checkpoints/ and manifest.json (written last).", Required = true };
        var config = new Option<string>("--config") { Description = "Model configuration: tiny (random init, 2x128), minilm (pretrained all-MiniLM-L6-v2, top 2 layers trained), minilm-full (every layer trained; meant for a GPU).", DefaultValueFactory = _ => ModelConfiguration.TinyName };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 32 };
        var learningRate = new Option<double?>("--lr") { Description = "Peak learning rate (default: 1e-3 for tiny, 1e-4 for pretrained configurations)." };
        var patience = new Option<int?>("--patience") { Description = "Early stopping: evaluations without improvement of the eval loss before stopping (the best weights are kept). Default: off." };
        var checkpoints = new Option<int>("--checkpoints") { Description = "Checkpoints at evenly spaced points of the run (at least 3; TracIn uses them).", DefaultValueFactory = _ => TrainingOptions.MinimumCheckpoints };
        var seed = new Option<int>("--seed") { Description = "Seed for initialisation, shuffling and dropout.", DefaultValueFactory = _ => 42 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => 2 };
        var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var json = new Option<bool>("--json") { Description = "Print the manifest as JSON on stdout instead of a summary." };
        var command = new Command("train", "Fine-tune a ranking model on the training split of a prepared examples dataset, evaluate it on the evaluation split against the popularity baseline, and write the final weights and checkpoints (safetensors) with a manifest of SHA-256s, configuration, data version, metrics and learning rates.")
        {
            examples, output, config, epochs, batch, learningRate, patience, checkpoints, seed, threads, device, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            var source = parse.GetValue(examples)!;
            var path = source is DirectoryInfo || Directory.Exists(source.FullName) ? Path.Combine(source.FullName, PrepareFiles.Examples) : source.FullName;
            if (!File.Exists(path))
            {
                await stderr.WriteLineAsync($"error: no examples dataset at {path} (run `lineage prepare` first).");
                return 2;
            }

            ModelConfiguration configuration;
            TrainingOptions options;
            try
            {
                configuration = ModelConfiguration.FromName(parse.GetValue(config)!);
                options = new TrainingOptions
                {
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(learningRate) ?? configuration.DefaultLearningRate,
                    Patience = parse.GetValue(patience),
                    CheckpointCount = parse.GetValue(checkpoints),
                    Seed = parse.GetValue(seed),
                    Threads = parse.GetValue(threads),
                    Device = parse.GetValue(device)!,
                };
                options.Validate();
                TorchRuntime.ResolveDevice(options.Device);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return 2;
            }

            await stderr.WriteLineAsync($"train: {configuration.Name} from {path}, {options.Epochs} epochs, {TorchRuntime.Describe()}");
            var progress = new InlineProgress<TrainingProgress>(p =>
            {
                if (p.Step % Math.Max(1, p.TotalSteps / 10) == 0 || p.Step == p.TotalSteps)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  step {p.Step}/{p.TotalSteps} epoch {p.Epoch} loss {p.Loss:0.0000} lr {p.LearningRate:0.0e0}"));
                }
            });
            TrainingRunResult run;
            try
            {
                run = await TrainingRun.RunAsync(path, configuration, options, parse.GetValue(output)!.FullName, progress, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                await stderr.WriteLineAsync($"error: {path}: {e.Message}");
                return 2;
            }

            var (manifest, result, report) = run;
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(manifest.ToJson());
                return 0;
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"trained {configuration.Name}: {result.StepsCompleted} steps in {result.Elapsed.TotalSeconds:0.0} s, train loss {result.FinalTrainLoss:0.0000}, eval loss {result.FinalEvalLoss:0.0000}{(result.StoppedEarly ? " (stopped early)" : "")}"));
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"evaluation ({report.Model.Examples:N0} examples): AUC {report.Model.Auc:0.000} vs baseline {report.Baseline.Auc:0.000}, log loss {report.Model.LogLoss:0.000} vs {report.Baseline.LogLoss:0.000}, NDCG@10 {report.Model.NdcgAt10:0.000} vs {report.Baseline.NdcgAt10:0.000}"));
            await stdout.WriteLineAsync($"model {manifest.FinalModel.File} sha256:{manifest.FinalModel.Sha256}; {manifest.Checkpoints.Count} checkpoints; manifest {Path.Combine(parse.GetValue(output)!.FullName, TrainingManifest.FileName)}");
            return 0;
        });
        return command;
    }

    /// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
