using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessLineage.GpuWorker.Handling;
using ServerlessLineage.GpuWorker.Queue;
using ServerlessLineage.Storage;

namespace ServerlessLineage.GpuWorker;

/// <summary>
/// The worker process: command line, configuration (optional <c>appsettings.json</c> beside the executable, then environment
/// variables), console logging, the job handler and the queue processor on a generic host. Exit codes: 0 after a clean stop,
/// 1 when processing stopped on an unexpected error, 2 for a bad command line or configuration.
/// </summary>
public static class WorkerProgram
{
    public const int ExitOk = 0;

    public const int ExitFailed = 1;

    public const int ExitUsage = 2;

    private const string Name = "gpu-worker";

    public static string HelpText => $"""
        {Name}: the ServerlessLineage GPU worker. Takes training jobs from a storage queue, runs them (train, evaluate, recommend,
        attribute; CUDA when libtorch sees a GPU, else the CPU), uploads the artifacts and manifest.json, and posts each job's
        result (or its failure) to the results queue. Stops cleanly on SIGTERM / Ctrl+C; a job interrupted so stays on the queue.

        Usage: {Name} [--once] [--help]

          --once    process at most one job (or none, when the queue is empty), then exit
          --help    show this text

        Settings (environment variables; or the same keys, ':'-separated, in appsettings.json beside the executable):
          Storage__ConnectionString       storage connection string, e.g. UseDevelopmentStorage=true (Azurite)
          Storage__BlobServiceUri         or: blob endpoint with managed identity (DefaultAzureCredential) ...
          Storage__QueueServiceUri        ... and the queue endpoint (required then)
          Storage__ManagedIdentityClientId  client id of a user-assigned identity (empty: system-assigned)
          Worker__MaxDequeueCount         deliveries before a job is poisoned and reported failed (default 3)
          Worker__VisibilityTimeout       a running job's message invisibility, renewed while it runs (default 00:01:00)
          Worker__RenewalInterval         how often it is renewed; below the visibility timeout (default 00:00:20)
          Worker__MinPollInterval         first wait after an empty poll, doubling per empty poll (default 00:00:01)
          Worker__MaxPollInterval         longest wait between polls of an empty queue (default 00:00:30)
          Worker__RetryDelay              invisibility after a failed delivery, doubling per delivery, max 1 h (default 00:00:30)
          Worker__MaxConcurrentJobs       jobs run at once by this process (default 1)
          Worker__ShutdownTimeout         how long stopping waits for a running job to give up (default 00:00:25)
          Worker__JobsQueue               queue read (default training-jobs)
          Worker__ResultsQueue            queue results go to (default training-results)
          Worker__PoisonQueue             queue failed and unreadable jobs go to (default training-jobs-poison)
          Logging__LogLevel__Default      Information (default), Warning, Debug, ...
        The job handler reads its own settings from the same configuration.

        Exit codes: 0 clean stop, 1 stopped on an unexpected error, 2 bad command line or configuration.
        """;

    /// <summary>Runs the worker until it is stopped (or, with <c>--once</c>, after one job) and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var once = false;
        foreach (var arg in args)
        {
            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    await output.WriteLineAsync(HelpText);
                    return ExitOk;
                case "--once":
                    once = true;
                    break;
                default:
                    await error.WriteLineAsync($"{Name}: unknown argument '{arg}'. Run '{Name} --help' for usage.");
                    return ExitUsage;
            }
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();

        var (storage, worker, errors) = ReadOptions(builder.Configuration);
        if (storage is null || worker is null || errors.Count > 0)
        {
            await error.WriteLineAsync($"{Name}: invalid configuration:");
            foreach (var problem in errors)
            {
                await error.WriteLineAsync("  - " + problem);
            }

            await error.WriteLineAsync($"Run '{Name} --help' for the settings.");
            return ExitUsage;
        }

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var state = new WorkerRunState(once);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = worker.ShutdownTimeout);
        builder.Services.AddSingleton(services => UndecodableJobMessages.CreateQueueServiceClient(
            storage, worker, services.GetRequiredService<ILoggerFactory>().CreateLogger<UndecodableJobMessages>()));
        builder.Services.AddSingleton(Options.Create(worker));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(state);
        builder.Services.AddTrainingJobHandler(builder.Configuration);
        builder.Services.AddSingleton<TrainingJobQueueProcessor>();
        builder.Services.AddHostedService<TrainingJobQueueService>();

        try
        {
            using var host = builder.Build();
            await host.RunAsync();
        }
        catch (OptionsValidationException e)
        {
            // The job handler's own settings, validated when the host starts.
            await error.WriteLineAsync($"{Name}: invalid configuration: {e.Message}");
            return ExitUsage;
        }

        return state.Crashed ? ExitFailed : ExitOk;
    }

    /// <summary>Binds and validates the storage and worker settings; a value of the wrong type is a problem, not a crash.</summary>
    private static (StorageOptions? Storage, WorkerOptions? Worker, IReadOnlyList<string> Errors) ReadOptions(ConfigurationManager configuration)
    {
        var storage = new StorageOptions();
        var worker = new WorkerOptions();
        var errors = new List<string>();
        try
        {
            configuration.GetSection(StorageOptions.SectionName).Bind(storage);
            configuration.GetSection(WorkerOptions.SectionName).Bind(worker);
        }
        catch (InvalidOperationException e)
        {
            errors.Add(e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message);
            return (null, null, errors);
        }

        errors.AddRange(storage.Validate());
        if (string.IsNullOrWhiteSpace(storage.ConnectionString) && storage.BlobServiceUri is not null && storage.QueueServiceUri is null)
        {
            errors.Add($"Set {StorageOptions.SectionName}:{nameof(StorageOptions.QueueServiceUri)} with {StorageOptions.SectionName}:{nameof(StorageOptions.BlobServiceUri)}: the worker reads and writes queues.");
        }

        errors.AddRange(worker.Validate());
        return (storage, worker, errors);
    }
}
