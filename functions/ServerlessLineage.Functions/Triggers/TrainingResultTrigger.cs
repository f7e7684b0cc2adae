using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using ServerlessLineage.Functions.Hosting;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage.Queues;

namespace ServerlessLineage.Functions.Triggers;

/// <summary>
/// The GPU worker's result message on <c>training-results</c> becomes the "TrainingCompleted" event of the waiting run
/// (<see cref="ResultRelay"/>). An invalid message throws: the host retries it (host.json <c>maxDequeueCount</c>) and then moves
/// it to <c>training-results-poison</c>.
/// </summary>
public sealed class TrainingResultTrigger(PipelineClients clients)
{
    [Function(FunctionNames.TrainingResultReceived)]
    public Task<RelayOutcome> Run(
        [QueueTrigger(QueueNames.TrainingResults, Connection = FunctionSettings.StorageConnection)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        clients.Relay(client).RelayAsync(message, cancellationToken);
}
