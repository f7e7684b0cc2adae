using System.CommandLine;
using System.Globalization;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Generation;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary><c>lineage generate</c>: deterministic synthetic shop data with its ground truth.</summary>
internal static class GenerateCommand
{
    private const string CsvFormat = "csv";
    private const string JsonLinesFormat = "jsonl";

    public static Command Create()
    {
        var events = new Option<int>("--events")
        {
            Description = "Data rows in the events file, bad rows included (header excluded).",
            DefaultValueFactory = _ => 10_000,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Random seed; the same options and seed give byte-identical files.",
            DefaultValueFactory = _ => 42,
        };
        var outDir = new Option<DirectoryInfo>("--out")
        {
            Description = "Directory to write the events file, catalog.csv and ground-truth.json into (created if missing).",
            Required = true,
        };
        var format = new Option<string>("--format")
        {
            Description = "Events file format: csv (RFC 4180 with header) or jsonl (JSON Lines).",
            DefaultValueFactory = _ => CsvFormat,
        };
        format.AcceptOnlyFromAmong(CsvFormat, JsonLinesFormat);
        var gzip = new Option<bool>("--gzip") { Description = "Gzip-compress the events file (adds .gz)." };
        var badShare = new Option<double>("--bad-share")
        {
            Description = "Fraction of event rows that are defective, spread over every quarantine reason code, in [0, 1).",
            DefaultValueFactory = _ => 0,
        };
        var noisyShare = new Option<double>("--noisy-share")
        {
            Description = "Fraction of sessions whose clicks ignore relevance (suspicious training rows), in [0, 1).",
            DefaultValueFactory = _ => 0,
        };
        var start = new Option<DateTimeOffset?>("--start")
        {
            Description = "First instant of generated activity, ISO 8601 with Z or an offset. [default: 2026-01-05T00:00:00Z]",
        };
        var days = new Option<int>("--days")
        {
            Description = "Number of days the sessions are spread over.",
            DefaultValueFactory = _ => 28,
        };

        var command = new Command("generate", "Generate a deterministic synthetic shop dataset (behaviour events, catalog, ground truth).")
        {
            events, seed, outDir, format, gzip, badShare, noisyShare, start, days,
        };
        command.SetAction(parseResult =>
        {
            var options = new GeneratorOptions
            {
                Events = parseResult.GetValue(events),
                Seed = parseResult.GetValue(seed),
                Format = parseResult.GetValue(format) == JsonLinesFormat ? EventFileFormat.JsonLines : EventFileFormat.Csv,
                Gzip = parseResult.GetValue(gzip),
                BadShare = parseResult.GetValue(badShare),
                NoisyShare = parseResult.GetValue(noisyShare),
                Start = parseResult.GetValue(start) ?? GeneratorOptions.DefaultStart,
                Days = parseResult.GetValue(days),
            };
            return Run(options, parseResult.GetRequiredValue(outDir).FullName, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>Validates, generates, and prints a short summary. Returns the process exit code.</summary>
    internal static int Run(GeneratorOptions options, string outDir, TextWriter output, TextWriter error)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                error.WriteLine($"generate: {problem}");
            }

            return 2;
        }

        var summary = ShopDataGenerator.Generate(options, outDir);
        var truth = summary.GroundTruth;
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant, $"Wrote {summary.EventsPath} ({truth.EventRows} rows: {truth.GoodRows} good, {truth.BadRows.Count} bad; {truth.Sessions} sessions, {truth.Users} users)"));
        output.WriteLine(string.Create(invariant, $"Wrote {summary.CatalogPath} ({truth.CatalogRows} items)"));
        output.WriteLine($"Wrote {summary.GroundTruthPath}");
        if (truth.BadRows.Count > 0)
        {
            foreach (var reason in ReasonCodes.All)
            {
                output.WriteLine(string.Create(invariant, $"  {reason.ToWireName(),-17} {truth.CountOf(reason)}"));
            }
        }

        output.WriteLine(string.Create(invariant, $"Noisy sessions: {truth.NoisySessions.Count}"));
        return 0;
    }
}
