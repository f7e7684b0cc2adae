using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;

namespace ServerlessLineage.GpuWorker;

/// <summary>
/// Does one training job: from the example dataset the job names to the uploaded artifacts and their <c>manifest.json</c>.
/// Must be safe to run twice for the same job id (at-least-once delivery): a re-run writes the same artifacts or finds them
/// present. Throws on failure; the queue processor decides between a retry and the poison queue.
/// </summary>
public interface ITrainingJobHandler
{
    /// <summary>Runs <paramref name="job"/> and returns the version of the manifest it wrote (or found).</summary>
    Task<DatasetVersionRef> HandleAsync(TrainingJob job, IProgress<string>? progress, CancellationToken cancellationToken);
}
