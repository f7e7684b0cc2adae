using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerlessLineage.Storage;

namespace ServerlessLineage.GpuWorker.Handling;

/// <summary>Registers the training-job handler and what it needs, in one call from the host's start-up.</summary>
public static class HandlingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITrainingJobHandler"/> as <see cref="BlobTrainingJobHandler"/>, its options from section
    /// <see cref="TrainingJobHandlerOptions.SectionName"/> (validated at start-up), and a <see cref="BlobServiceClient"/> from
    /// section <see cref="StorageOptions.SectionName"/> unless one is registered already.
    /// </summary>
    public static IServiceCollection AddTrainingJobHandler(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TrainingJobHandlerOptions>()
            .Bind(configuration.GetSection(TrainingJobHandlerOptions.SectionName))
            .Validate(o => o.Validate().Count == 0, $"Invalid {TrainingJobHandlerOptions.SectionName} options: threads >= 1, a device (auto, cpu, cuda or cuda:N), a model name without '@' or ':'.")
            .ValidateOnStart();
        services.TryAddSingleton(_ =>
        {
            var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
            return StorageClientFactory.CreateBlobServiceClient(storage);
        });
        services.TryAddSingleton<ITrainingJobHandler>(provider => new BlobTrainingJobHandler(
            provider.GetRequiredService<BlobServiceClient>(),
            provider.GetRequiredService<IOptions<TrainingJobHandlerOptions>>(),
            provider.GetService<Microsoft.Extensions.Logging.ILogger<BlobTrainingJobHandler>>()));
        return services;
    }
}
