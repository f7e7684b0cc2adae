using System.CommandLine;
using Microsoft.Extensions.Logging;
using ServerlessLineage.LocalHost.Local;
using ServerlessLineage.Pipeline.Orchestration;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary><c>lineage serve</c>: the local system, long-running: HTTP API, pollers, durable backend and GPU worker.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Loopback port of the HTTP API (0: any free port).", DefaultValueFactory = _ => 7071 };
        var storage = new Option<string?>("--storage") { Description = "Storage connection string (default: SERVERLESSLINEAGE_STORAGE, else the local Azurite under .local/, started or reused)." };
        var config = new Option<string>("--config") { Description = "Default model configuration of runs started by uploads: tiny, minilm or minilm-full.", DefaultValueFactory = _ => "tiny" };
        var noWorker = new Option<bool>("--no-worker") { Description = "Do not start the GPU worker (e.g. when one runs elsewhere against the same storage)." };
        var shardBytes = RunCommand.ShardBytesOption();
        var command = new Command("serve", "Run the local system until Ctrl+C: the HTTP API on 127.0.0.1 (POST /api/runs, GET /api/runs/{runId}, the lineage routes), the pollers that start a run for every blob uploaded to raw-events/ and relay training results, the durable backend on Azurite (runs interrupted by a crash continue here), and the GPU worker.")
        {
            port, storage, config, noWorker, shardBytes,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning).AddFilter("DurableTask", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning));
            await using var local = await LocalStorage.OpenAsync(parse.GetValue(storage), stderr, cancellationToken);
            await using var host = await LocalPipelineHost.StartAsync(
                new LocalPipelineHostOptions
                {
                    ConnectionString = local.ConnectionString,
                    ApiPort = parse.GetValue(port),
                    StartWorker = !parse.GetValue(noWorker),
                    Pipeline = new PipelineOptions
                    {
                        WorkDirectory = Path.Combine(LocalSecret.StateDirectory, "work"),
                        ModelConfiguration = parse.GetValue(config)!,
                        CleaningShardBytes = parse.GetValue(shardBytes),
                    },
                    StateDirectory = LocalSecret.StateDirectory,
                },
                loggerFactory,
                cancellationToken);
            await stderr.WriteLineAsync($"serve: HTTP API on {host.ApiAddress}api/ ; storage is {local.Description}");
            await stderr.WriteLineAsync("serve: upload events to the raw-events container (or POST /api/runs) to start a run; Ctrl+C stops.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("serve: stopping...");
            }

            return 0;
        });
        return command;
    }
}
