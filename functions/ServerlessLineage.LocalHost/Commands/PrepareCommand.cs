using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Preparation;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary><c>lineage prepare</c>: clean + examples on local files, no Azure needed.</summary>
internal static class PrepareCommand
{
    public static Command Create()
    {
        var events = new Option<FileInfo>("--events") { Description = "Behaviour events file: CSV or JSON Lines, optionally .gz.", Required = true };
        var catalog = new Option<FileInfo>("--catalog") { Description = "Product catalog file: CSV or JSON Lines, optionally .gz.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the datasets, quarantine, provenance and manifest.json.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout instead of text." };
        var asOf = new Option<DateTimeOffset?>("--as-of")
        {
            Description = "The run's start time (ISO 8601); events more than 1 day later are FUTURE_TIMESTAMP. Default: now.",
        };
        var evalFraction = new Option<double>("--eval-fraction") { Description = "Share of the data, by time, held out for evaluation.", DefaultValueFactory = _ => 0.2 };
        var maxLength = new Option<int>("--max-seq-len") { Description = "Token sequence length of the examples (8..512).", DefaultValueFactory = _ => 64 };

        var command = new Command("prepare", "Clean an events file against a catalog and build training examples, with row-level provenance, quality metrics and a quarantine of every rejected row. Also a way to validate files before uploading them.")
        {
            events, catalog, output, json, asOf, evalFraction, maxLength,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new PrepareOptions
            {
                RunStartedAt = parse.GetValue(asOf) ?? DateTimeOffset.UtcNow,
                Examples = new ExampleOptions { EvalFraction = parse.GetValue(evalFraction), MaxSequenceLength = parse.GetValue(maxLength) },
                Namespace = "file://" + Environment.MachineName.ToLowerInvariant(),
            };
            var console = parse.InvocationConfiguration;
            return await RunAsync(parse.GetValue(events)!, parse.GetValue(catalog)!, parse.GetValue(output)!, options, parse.GetValue(json), console.Output, console.Error, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(
        FileInfo events, FileInfo catalog, DirectoryInfo output, PrepareOptions options, bool asJson, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            options.Examples.Validate();
            var service = new PrepareService(new Pseudonymizer(LocalSecret.Load()));
            using var progress = new ConsoleProgress(enabled: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);
            var result = await service.RunAsync(events.FullName, catalog.FullName, output.FullName, options, progress, cancellationToken);
            progress.Done();
            if (asJson)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(Summary(result, output.FullName), PrepareService.JsonOptions));
            }
            else
            {
                PrintText(result, output.FullName, stdout);
            }

            return 0;
        }
        catch (Exception ex) when (ex is DataContractException or FileNotFoundException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            await stderr.WriteLineAsync("Nothing was published.");
            return 2;
        }
    }

    internal static object Summary(PrepareResult r, string output) => new
    {
        output,
        runStartedAt = r.RunStartedAt,
        rowsIn = r.Events.RowsIn,
        rowsClean = r.Events.RowsClean,
        rowsQuarantined = r.Events.RowsQuarantined,
        quarantinedByReason = r.Events.QuarantinedByReason,
        blankLines = r.Events.BlankLines,
        unknownColumns = r.Events.UnknownColumns,
        catalog = new { rowsIn = r.Catalog.RowsIn, rowsClean = r.Catalog.RowsClean, rowsQuarantined = r.Catalog.RowsQuarantined, quarantinedByReason = r.Catalog.QuarantinedByReason },
        examples = new
        {
            train = r.Examples.TrainExamples,
            eval = r.Examples.EvalExamples,
            positiveRateTrain = r.Examples.TrainPositiveRate,
            positiveRateEval = r.Examples.EvalPositiveRate,
            splitAt = r.Examples.SplitAt,
            sessions = r.Examples.Sessions,
            truncated = r.Examples.Truncated,
        },
        datasets = r.Inputs.Concat(r.Outputs).ToDictionary(d => d.Name, d => new { version = d.Version, path = d.Path, bytes = d.Bytes, rows = d.Rows }),
        provenance = r.Provenance.ToDictionary(p => p.Key, p => new { rows = p.Value.KeyCount, bytes = p.Value.TotalBytes, bytesPerRow = Math.Round(p.Value.BytesPerKey, 4) }),
        timings = r.Timings,
    };

    private static void PrintText(PrepareResult r, string output, TextWriter o)
    {
        var e = r.Events;
        o.WriteLine($"Prepared {Path.GetFileName(r.Inputs[0].Path)} against {Path.GetFileName(r.Inputs[1].Path)} into {output}");
        o.WriteLine();
        o.WriteLine($"  events    {e.RowsIn,12:N0} rows in  = {e.RowsClean:N0} clean + {e.RowsQuarantined:N0} quarantined ({Percent(e.RowsQuarantined, e.RowsIn)})");
        foreach (var reason in ReasonCodes.All)
        {
            var count = e.QuarantinedByReason[reason.ToWireName()];
            if (count > 0)
            {
                o.WriteLine($"              {reason.ToWireName(),-18} {count,10:N0}");
            }
        }

        if (e.BlankLines > 0)
        {
            o.WriteLine($"              (blank lines skipped: {e.BlankLines:N0})");
        }

        if (e.UnknownColumns.Count > 0)
        {
            o.WriteLine($"              unknown columns ignored: {string.Join(", ", e.UnknownColumns)}");
        }

        o.WriteLine($"  catalog   {r.Catalog.RowsIn,12:N0} rows in  = {r.Catalog.RowsClean:N0} clean + {r.Catalog.RowsQuarantined:N0} quarantined");
        var x = r.Examples;
        o.WriteLine($"  examples  {x.TrainExamples + x.EvalExamples,12:N0} = {x.TrainExamples:N0} train ({x.TrainPositiveRate:P1} positive) + {x.EvalExamples:N0} eval ({x.EvalPositiveRate:P1} positive), split at {x.SplitAt:u}");
        o.WriteLine();
        o.WriteLine("  datasets");
        foreach (var d in r.Inputs.Concat(r.Outputs).Where(d => !d.Path.EndsWith(".slpv", StringComparison.Ordinal)))
        {
            o.WriteLine($"    {d.Name,-16} {d.Version[..19]}…  {d.Bytes,14:N0} bytes  {d.Rows,12:N0} rows");
        }

        o.WriteLine("  row provenance");
        foreach (var (file, size) in r.Provenance)
        {
            o.WriteLine($"    {file,-44} {size.TotalBytes,10:N0} bytes  {size.BytesPerKey,6:0.000} bytes/row");
        }

        o.WriteLine();
        o.WriteLine("  timings   " + string.Join("  ", r.Timings.Select(t => $"{t.Key} {t.Value.ToString("0.00", CultureInfo.InvariantCulture)} s")));
        o.WriteLine($"  quarantine: {Path.Combine(output, PrepareFiles.Quarantine)}   manifest: {Path.Combine(output, PrepareFiles.Manifest)}");
    }

    private static string Percent(long part, long whole) => whole == 0 ? "0%" : ((double)part / whole).ToString("P2", CultureInfo.InvariantCulture);
}
