using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Core.Lineage.Queries;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.LocalHost.Local;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage.Blobs;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary>
/// <c>lineage run</c>: the whole pipeline on local files. Starts (or reuses) Azurite, the durable backend, the pollers, the HTTP
/// API and the GPU worker; uploads the catalog and the events (the upload is what starts the run, as in Azure); follows the run
/// stage by stage and prints its summary.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var events = new Option<FileInfo>("--events") { Description = "Behaviour events file (CSV or JSON Lines, optionally .gz); uploaded to raw-events/, which starts the run.", Required = true };
        var catalog = new Option<FileInfo>("--catalog") { Description = "Product catalog file; uploaded to catalog/ first (the run uses the newest catalog).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON: run id, state, per-stage timings and figures, model metrics, dataset and model versions, lineage record counts." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long to wait for the run (and for the GPU worker's result), e.g. 00:30:00.", DefaultValueFactory = _ => TimeSpan.FromHours(1) };
        var config = new Option<string>("--config") { Description = "Model configuration: tiny, minilm or minilm-full.", DefaultValueFactory = _ => "tiny" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 3 };
        var storage = new Option<string?>("--storage") { Description = "Storage connection string (default: SERVERLESSLINEAGE_STORAGE, else the local Azurite under .local/, started or reused)." };
        var port = new Option<int>("--port") { Description = "Loopback port of the HTTP API while the run goes (0: any free port).", DefaultValueFactory = _ => 0 };
        var shardBytes = ShardBytesOption();
        var command = new Command("run", "Run the whole pipeline locally: clean, build examples, train on the GPU worker (CPU here), record model, recommendation and attribution lineage. Exits non-zero with the reason when the run fails.")
        {
            events, catalog, json, timeout, config, epochs, storage, port, shardBytes,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new RunArguments(
                parse.GetValue(events)!, parse.GetValue(catalog)!, parse.GetValue(json), parse.GetValue(timeout), parse.GetValue(config)!, parse.GetValue(epochs),
                parse.GetValue(storage), parse.GetValue(port), parse.GetValue(shardBytes));
            return await RunAsync(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    internal sealed record RunArguments(
        FileInfo Events, FileInfo Catalog, bool Json, TimeSpan Timeout, string Config, int Epochs, string? Storage, int Port, long ShardBytes = 64L * 1024 * 1024);

    /// <summary>The <c>--shard-bytes</c> option of <c>run</c> and <c>serve</c>.</summary>
    internal static Option<long> ShardBytesOption() => new("--shard-bytes")
    {
        Description = "Target size of a cleaning shard in bytes: larger events files are cleaned as shards of about this size in parallel activities, then merged.",
        DefaultValueFactory = _ => 64L * 1024 * 1024,
    };

    internal static async Task<int> RunAsync(RunArguments arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        foreach (var file in new[] { arguments.Events, arguments.Catalog })
        {
            if (!file.Exists)
            {
                await stderr.WriteLineAsync($"error: {file.FullName} does not exist.");
                return 2;
            }
        }

        var pipeline = new PipelineOptions
        {
            WorkDirectory = Path.Combine(LocalSecret.StateDirectory, "work"),
            ModelConfiguration = arguments.Config,
            Epochs = arguments.Epochs,
            TrainingTimeout = arguments.Timeout,
            CleaningShardBytes = arguments.ShardBytes,
        };
        IReadOnlyList<string> requestErrors = new PipelineRunRequest
        {
            Events = new BlobVersion("x", "x", "x"),
            Catalog = new BlobVersion("x", "x", "x"),
            RequestedAt = DateTimeOffset.UtcNow,
            ModelConfiguration = arguments.Config,
            Epochs = arguments.Epochs,
            TrainingTimeout = arguments.Timeout,
        }.Validate();
        List<string> settingErrors = [.. requestErrors, .. pipeline.Validate()];
        if (settingErrors.Count > 0)
        {
            await stderr.WriteLineAsync("error: " + string.Join(" ", settingErrors));
            return 2;
        }

        var wall = Stopwatch.StartNew();
        // Log lines go to stderr with the progress, so that stdout holds only the summary (`--json` output stays parseable).
        using var loggerFactory = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("DurableTask", LogLevel.Error).AddFilter("Microsoft.DurableTask", LogLevel.Error).AddFilter("Microsoft.AspNetCore", LogLevel.Error));
        await using var storage = await LocalStorage.OpenAsync(arguments.Storage, stderr, cancellationToken);
        await stderr.WriteLineAsync($"run: storage is {storage.Description}");
        await using var host = await LocalPipelineHost.StartAsync(
            new LocalPipelineHostOptions
            {
                ConnectionString = storage.ConnectionString,
                ApiPort = arguments.Port,
                Pipeline = pipeline,
                StateDirectory = LocalSecret.StateDirectory,
            },
            loggerFactory,
            cancellationToken);
        await stderr.WriteLineAsync($"run: HTTP API on {host.ApiAddress}api/, GPU worker log in {host.Worker?.LogPath}");

        var catalogVersion = await UploadOnceAsync(host.Blobs, pipeline.CatalogContainer, arguments.Catalog, stderr, cancellationToken);
        var eventsVersion = await UploadOnceAsync(host.Blobs, ContainerNames.RawEvents, arguments.Events, stderr, cancellationToken);

        // The upload is what the blob poller reacts to; starting here as well (same instance id, deduplicated) pins the catalog
        // just uploaded and gives the run id without waiting for the next poll.
        RunStart start;
        try
        {
            start = await host.Starter.StartAsync(eventsVersion, catalogVersion, new RunSettings { ModelConfiguration = arguments.Config, Epochs = arguments.Epochs, TrainingTimeout = arguments.Timeout }, cancellationToken);
        }
        catch (PipelineInputException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        await stderr.WriteLineAsync($"run: {(start.AlreadyExisted ? "following the existing run" : "started run")} {start.RunId} (instance {start.InstanceId})");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(arguments.Timeout + TimeSpan.FromMinutes(1));
        OrchestrationMetadata final;
        try
        {
            final = await FollowAsync(host.Runtime.Client, start.InstanceId, stderr, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"error: run {start.RunId} did not finish within {arguments.Timeout}; it stays in storage (`lineage serve` continues it, `lineage status {start.RunId}` shows it).");
            return 124;
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException)
        {
            // Ctrl+C / SIGTERM: the host is stopping under the follower (its gRPC calls fail rather than cancel).
            await stderr.WriteLineAsync($"run: interrupted; run {start.RunId} stays in storage (`lineage serve` or the same `lineage run` continues it).");
            return 130;
        }

        var summary = await SummarizeAsync(host, start, final, wall.Elapsed, cancellationToken);
        if (arguments.Json)
        {
            await stdout.WriteLineAsync(summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            WriteText(summary, stdout);
        }

        if (final.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            await stderr.WriteLineAsync($"error: run {start.RunId} {final.RuntimeStatus.ToString().ToLowerInvariant()}: {FailureReason(final) ?? "no reason recorded"}");
            return 1;
        }

        return 0;
    }

    /// <summary>
    /// Uploads <paramref name="file"/> unless the blob of that name already holds the same bytes (MD5 match), so running the same
    /// files again finds the same blob version and therefore the same run.
    /// </summary>
    internal static async Task<BlobVersion> UploadOnceAsync(BlobServiceClient blobs, string container, FileInfo file, TextWriter log, CancellationToken cancellationToken)
    {
        var blob = blobs.GetBlobContainerClient(container).GetBlobClient(file.Name);
        byte[] md5;
        await using (var stream = file.OpenRead())
        {
            // Content-MD5 is what blob storage keeps per blob; used to recognise a file already uploaded, not for security.
#pragma warning disable CA5351
            md5 = await MD5.HashDataAsync(stream, cancellationToken);
#pragma warning restore CA5351
        }

        if (await blob.ExistsAsync(cancellationToken))
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.ContentHash is { } hash && hash.AsSpan().SequenceEqual(md5))
            {
                await log.WriteLineAsync($"run: {container}/{file.Name} already holds this file (ETag {properties.ETag})");
                return new BlobVersion(container, file.Name, properties.ETag.ToString());
            }
        }

        await log.WriteLineAsync($"run: uploading {file.Name} ({file.Length:N0} bytes) to {container}/");
        var uploaded = await blob.UploadAsync(file.FullName, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentHash = md5 } }, cancellationToken);
        return new BlobVersion(container, file.Name, uploaded.Value.ETag.ToString());
    }

    private static async Task<OrchestrationMetadata> FollowAsync(DurableTaskClient client, string instanceId, TextWriter log, CancellationToken cancellationToken)
    {
        string? lastLine = null;
        while (true)
        {
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
            if (instance?.ReadCustomStatusAs<PipelineStatus>() is { } status)
            {
                var line = Describe(status);
                if (line != lastLine)
                {
                    await log.WriteLineAsync($"  {line}");
                    lastLine = line;
                }
            }

            if (instance is { IsCompleted: true })
            {
                return instance;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    private static string Describe(PipelineStatus status)
    {
        string F(string name) => status.Figures.TryGetValue(name, out var v) ? v.ToString("#,0.###", CultureInfo.InvariantCulture) : "?";
        return status.Stage switch
        {
            PipelineStages.Cleaning => status.Figures.ContainsKey("cleaningShards")
                ? $"cleaning events: {F("shardsCleaned")} of {F("cleaningShards")} shard(s) done..."
                : "cleaning events...",
            PipelineStages.BuildingExamples => $"cleaned {F("rowsClean")} of {F("rowsIn")} rows ({F("rowsQuarantined")} quarantined) in {F("cleaningShards")} shard(s); building examples...",
            PipelineStages.SubmittingTraining => $"{F("trainExamples")} training and {F("evalExamples")} evaluation examples; submitting the training job...",
            PipelineStages.Training => $"training on the GPU worker (job {status.TrainingJobId})...",
            PipelineStages.RecordingModel => "recording model, recommendation and attribution lineage...",
            PipelineStages.Finalizing => "finalizing (run summary, OpenLineage events)...",
            PipelineStages.Completed => "completed",
            PipelineStages.Failed => $"failed: {status.Message}",
            _ => status.Stage,
        };
    }

    /// <summary>
    /// Why the run did not complete: the failure details when the backend returns them, else the orchestrator's own message in
    /// its custom status (the Azure Storage backend behind the local sidecar returns a failed instance without failure details).
    /// </summary>
    private static string? FailureReason(OrchestrationMetadata final) =>
        final.FailureDetails?.ErrorMessage
        ?? (final.ReadCustomStatusAs<PipelineStatus>() is { Stage: PipelineStages.Failed, Message: { Length: > 0 } message } ? message : null);

    private static async Task<JsonObject> SummarizeAsync(LocalPipelineHost host, RunStart start, OrchestrationMetadata final, TimeSpan wall, CancellationToken cancellationToken)
    {
        var status = final.ReadCustomStatusAs<PipelineStatus>();
        var outcome = final.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? final.ReadOutputAs<PipelineOutcome>() : null;
        var options = ApiResponse.JsonOptions;
        var json = new JsonObject
        {
            ["runId"] = start.RunId.ToString("D"),
            ["instanceId"] = start.InstanceId,
            ["state"] = final.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? "COMPLETED" : "FAILED",
            ["error"] = final.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? null : FailureReason(final),
            ["wallSeconds"] = Math.Round(wall.TotalSeconds, 2),
            ["stageSeconds"] = JsonSerializer.SerializeToNode(status?.StageSeconds ?? new Dictionary<string, double>(), options),
            ["figures"] = JsonSerializer.SerializeToNode(status?.Figures ?? new Dictionary<string, double>(), options),
        };
        if (outcome is not null)
        {
            json["workerStageSeconds"] = JsonSerializer.SerializeToNode(outcome.Model.WorkerStageSeconds, options);
            json["device"] = outcome.Model.Device;
            json["modelMetrics"] = JsonSerializer.SerializeToNode(outcome.Model.Metrics, options);
            json["datasets"] = new JsonObject
            {
                ["rawEvents"] = Version(outcome.Cleaning.RawEvents),
                ["rawCatalog"] = Version(outcome.Cleaning.RawCatalog),
                ["cleanedEvents"] = Version(outcome.Cleaning.CleanedEvents),
                ["catalog"] = Version(outcome.Cleaning.Catalog),
                ["quarantine"] = Version(outcome.Cleaning.Quarantine),
                ["examples"] = Version(outcome.Examples.Examples),
            };
            json["model"] = new JsonObject { ["name"] = outcome.Model.ModelName, ["version"] = outcome.Model.ModelVersion };
        }

        var runs = await host.Store.GetRunTreeAsync(start.RunId, cancellationToken);
        var graph = await new LineageGraphQuery(host.Store).TraverseAsync(NodeId.Run(start.RunId), TraversalDirection.Both, 3, LineageGraphQuery.MaxNodeBudget, cancellationToken);
        json["lineageRecords"] = new JsonObject
        {
            ["runs"] = runs.Count,
            ["graphNodesNearRun"] = graph.Nodes.Count,
            ["graphEdgesNearRun"] = graph.Edges.Count,
            ["openLineageEvents"] = outcome?.Finalize?.OpenLineageEvents,
            ["recommendations"] = outcome?.Model.Recommendations,
            ["attributions"] = outcome?.Model.Attributions,
            ["findings"] = outcome?.Model.Findings,
        };
        json["activities"] = new JsonArray([.. runs.OrderBy(r => r.CreatedAt).Select(r => (JsonNode)new JsonObject
        {
            ["job"] = r.JobName,
            ["state"] = r.State.ToString().ToUpperInvariant(),
            ["seconds"] = r.Duration is { } d ? Math.Round(d.TotalSeconds, 2) : null,
        })]);
        return json;
    }

    // The node id is what `lineage trace` and the API's lineage routes take, so the summary names each version the way they do.
    private static JsonObject Version(Core.Datasets.DatasetVersionRef version) =>
        new()
        {
            ["blob"] = $"{version.Container}/{version.BlobName}",
            ["version"] = version.Version,
            ["bytes"] = version.Length,
            ["nodeId"] = NodeId.DatasetVersion(version).ToString(),
        };

    private static void WriteText(JsonObject summary, TextWriter output)
    {
        output.WriteLine($"run {summary["runId"]}: {summary["state"]} in {summary["wallSeconds"]} s{(summary["error"] is { } e ? $" — {e}" : "")}");
        output.WriteLine($"  stages (s): {Pairs(summary["stageSeconds"])}");
        if (summary["workerStageSeconds"] is { } worker)
        {
            output.WriteLine($"  worker stages (s) on {summary["device"]}: {Pairs(worker)}");
        }

        output.WriteLine($"  figures: {Pairs(summary["figures"])}");
        if (summary["model"] is { } model)
        {
            output.WriteLine($"  model {model["name"]}@{model["version"]}");
            output.WriteLine($"  examples {summary["datasets"]?["examples"]?["version"]}");
        }

        output.WriteLine($"  lineage: {Pairs(summary["lineageRecords"])}");
        output.WriteLine($"  next: lineage status {summary["runId"]} | lineage explain --run {summary["runId"]} --user <user> --item <item> | lineage subject <user>");
    }

    private static string Pairs(JsonNode? node) =>
        node is JsonObject o ? string.Join(", ", o.Select(p => $"{p.Key} {Format(p.Value)}")) : "";

    private static string Format(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("#,0.###", CultureInfo.InvariantCulture) : value?.ToString() ?? "-";
}
