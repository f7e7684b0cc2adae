using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.LocalHost.Benchmarks;
using ServerlessLineage.Modeling.Ranking;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary><c>lineage eval</c>: model quality on generated data with noisy sessions, over several seeds.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var events = new Option<int>("--events") { Description = "Events to generate per seed.", DefaultValueFactory = _ => 8_000 };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated generator/training seeds.", DefaultValueFactory = _ => "1,2,3" };
        var configs = new Option<string>("--configs") { Description = "Comma-separated model configurations (tiny, minilm, minilm-full).", DefaultValueFactory = _ => "tiny,minilm" };
        var noisy = new Option<double>("--noisy-share") { Description = "Share of sessions that click at random (the generator's ground truth).", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch") { Description = "Training batch size.", DefaultValueFactory = _ => 32 };
        var seq = new Option<int>("--seq") { Description = "Token sequence length of the examples.", DefaultValueFactory = _ => 32 };
        var learningRate = new Option<double?>("--lr") { Description = "Peak learning rate (default: 1e-3 for tiny, 1e-4 for pretrained configurations)." };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => 2 };
        var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var work = new Option<DirectoryInfo?>("--work-dir") { Description = "Folder for generated data (default: a temporary folder, deleted afterwards)." };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var command = new Command("eval", "Generate shop data with noisy sessions, prepare it, train each model configuration and report, per seed and averaged: AUC, log loss and NDCG@10 on the evaluation split against the popularity baseline on the same split, and the recall of noisy-session training examples in the top 10% and 20% of TracIn self-influence.")
        {
            events, seeds, configs, noisy, epochs, batch, seq, learningRate, threads, device, work, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            QualityOptions options;
            try
            {
                options = new QualityOptions
                {
                    Events = parse.GetValue(events),
                    Seeds = [.. parse.GetValue(seeds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
                    Configurations = ModelConfiguration.ParseList(parse.GetValue(configs)!),
                    NoisyShare = parse.GetValue(noisy),
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    SequenceLength = parse.GetValue(seq),
                    LearningRate = parse.GetValue(learningRate),
                    Threads = parse.GetValue(threads),
                    Device = parse.GetValue(device)!,
                };
                if (options.Events <= 0 || options.Seeds.Count == 0 || options.Epochs <= 0 || options.BatchSize <= 0 || options.NoisyShare is < 0 or >= 1)
                {
                    throw new ArgumentException("--events, --epochs and --batch must be positive, --seeds non-empty and --noisy-share in [0, 1).");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            var quiet = parse.GetValue(json);
            var log = quiet ? TextWriter.Null : Console.Out;
            using var workDirectory = new WorkDirectory(parse.GetValue(work)?.FullName, "lineage-eval-");
            var root = workDirectory.Path;
            log.WriteLine($"eval: {options.Events:N0} events x seeds {string.Join(",", options.Seeds)}, configurations {string.Join(",", options.Configurations.Select(c => c.Name))}, {options.Epochs} epochs, {Modeling.Runtime.TorchRuntime.Describe()}");
            var figures = await new QualityEvaluation(options, root, log).RunAsync(cancellationToken);
            if (quiet)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(figures, PrepareService.JsonOptions));
            }
            else
            {
                PrintSummary(figures);
            }

            return 0;
        });
        return command;
    }

    private static void PrintSummary(IReadOnlyList<QualityFigures> figures)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine("mean ± sd over seeds:");
        Console.Out.WriteLine($"{"config",-12} {"AUC",15} {"baseline AUC",15} {"log loss",15} {"NDCG@10",15} {"base NDCG@10",15} {"noisy@10%",11} {"noisy@20%",11} {"clicks@20%",11} {"train s",8}");
        foreach (var group in figures.GroupBy(f => f.Configuration))
        {
            static string Stat(IEnumerable<double?> values)
            {
                var v = values.Where(x => x.HasValue && double.IsFinite(x.Value)).Select(x => x!.Value).ToArray();
                if (v.Length == 0)
                {
                    return "n/a";
                }

                var mean = v.Average();
                var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
                return string.Create(CultureInfo.InvariantCulture, $"{mean:0.000}±{sd:0.000}");
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{group.Key,-12} {Stat(group.Select(f => f.Model.Auc)),15} {Stat(group.Select(f => f.Baseline.Auc)),15} {Stat(group.Select(f => f.Model.LogLoss)),15} {Stat(group.Select(f => f.Model.NdcgAt10)),15} {Stat(group.Select(f => f.Baseline.NdcgAt10)),15} {Stat(group.Select(f => (double?)f.NoisyRecallAt10Percent)),11} {Stat(group.Select(f => (double?)f.NoisyRecallAt20Percent)),11} {Stat(group.Select(f => (double?)f.NoisyPositiveRecallAt20Percent)),11} {group.Average(f => f.TrainSeconds),8:0.0}"));
        }
    }
}
