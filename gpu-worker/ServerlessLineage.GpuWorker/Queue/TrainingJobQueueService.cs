using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>
/// Runs <see cref="TrainingJobQueueProcessor"/> for the lifetime of the host. Stopping the host (SIGTERM, Ctrl+C) cancels the
/// running job, which then stays on the queue; in single-job mode the host stops after one poll. An unexpected error is logged,
/// recorded in <see cref="WorkerRunState"/> for a non-zero exit code, and stops the host.
/// </summary>
public sealed class TrainingJobQueueService(
    TrainingJobQueueProcessor processor,
    WorkerRunState state,
    IHostApplicationLifetime lifetime,
    ILogger<TrainingJobQueueService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (state.Once)
            {
                state.OnceOutcome = await processor.RunOnceAsync(stoppingToken);
                lifetime.StopApplication();
            }
            else
            {
                await processor.RunAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: nothing to report.
        }
        catch (Exception e)
        {
            // The process's last line of defence: say what happened and exit non-zero instead of dying silently.
            logger.WorkerCrashed(e);
            state.Crashed = true;
            lifetime.StopApplication();
        }
    }
}
