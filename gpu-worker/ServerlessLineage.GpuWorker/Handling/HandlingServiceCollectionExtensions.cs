using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessLineage.GpuWorker.Handling;

/// <summary>
/// Registers the training job handler. PLACEHOLDER of the queue-processing branch: the job-execution branch replaces this file
/// with the real registration; until then every job fails with <see cref="NotImplementedException"/>.
/// </summary>
public static class HandlingServiceCollectionExtensions
{
    public static IServiceCollection AddTrainingJobHandler(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<ITrainingJobHandler, NotImplementedTrainingJobHandler>();
        return services;
    }

    private sealed class NotImplementedTrainingJobHandler : ITrainingJobHandler
    {
        public Task<Core.Datasets.DatasetVersionRef> HandleAsync(Core.Jobs.TrainingJob job, IProgress<string>? progress, CancellationToken cancellationToken) =>
            throw new NotImplementedException("Training job execution is not part of this build (placeholder handler).");
    }
}
