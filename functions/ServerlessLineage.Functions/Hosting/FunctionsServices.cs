using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Storage.OpenLineage;

namespace ServerlessLineage.Functions.Hosting;

/// <summary>
/// Everything the Functions app needs, from configuration: validated option sections, one storage client of each kind, the
/// lineage store, the pseudonymizer, the OpenLineage log (and forwarder when an endpoint is set), the real activities and the
/// per-call client factory. One method, so tests build the same container the host runs.
/// </summary>
public static class FunctionsServices
{
    /// <summary>Name of the <see cref="IHttpClientFactory"/> client the OpenLineage forwarder posts with.</summary>
    public const string OpenLineageHttpClient = "OpenLineage";

    /// <summary>Registers the app's services; options are validated when the host starts (and on first use).</summary>
    public static IServiceCollection AddServerlessLineage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<LineageTableOptions>(configuration, LineageTableOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<PipelineOptions>(configuration, PipelineOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<OpenLineageOptions>(configuration, OpenLineageOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<PseudonymisationOptions>(configuration, PseudonymisationOptions.SectionName, o => o.Validate());

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(OpenLineageHttpClient);
        services.AddSingleton(sp => StorageClientFactory.CreateBlobServiceClient(Value<StorageOptions>(sp)));
        services.AddSingleton(sp => StorageClientFactory.CreateQueueServiceClient(Value<StorageOptions>(sp)));
        services.AddSingleton(sp => StorageClientFactory.CreateTableServiceClient(Value<StorageOptions>(sp)));
        services.AddSingleton(sp => new TableLineageStore(sp.GetRequiredService<TableServiceClient>(), Value<LineageTableOptions>(sp)));
        services.AddSingleton<ILineageStore>(sp => sp.GetRequiredService<TableLineageStore>());
        services.AddSingleton(sp => new Pseudonymizer(Value<PseudonymisationOptions>(sp).SecretBytes()));
        services.AddSingleton(sp => new OpenLineageEventLog(
            sp.GetRequiredService<BlobServiceClient>(), logger: sp.GetRequiredService<ILogger<OpenLineageEventLog>>()));
        services.AddSingleton<IPipelineActivities>(sp => new PipelineActivities(
            sp.GetRequiredService<BlobServiceClient>(),
            sp.GetRequiredService<QueueServiceClient>(),
            sp.GetRequiredService<ILineageStore>(),
            sp.GetRequiredService<Pseudonymizer>(),
            sp.GetRequiredService<OpenLineageEventLog>(),
            Value<PipelineOptions>(sp),
            Forwarder(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PipelineActivities>>()));
        services.AddSingleton(sp => new LineageApi(sp.GetRequiredService<ILineageStore>(), sp.GetRequiredService<Pseudonymizer>()));
        services.AddSingleton<PipelineClients>();
        services.AddHostedService<StorageInitializer>();
        return services;
    }

    /// <summary>The forwarder when <c>OpenLineage:Endpoint</c> is set; null leaves events in the blob log only.</summary>
    private static OpenLineageForwarder? Forwarder(IServiceProvider services)
    {
        var options = Value<OpenLineageOptions>(services);
        return options.IsEnabled
            ? new OpenLineageForwarder(
                services.GetRequiredService<IHttpClientFactory>().CreateClient(OpenLineageHttpClient),
                services.GetRequiredService<OpenLineageEventLog>(),
                options,
                services.GetRequiredService<ILogger<OpenLineageForwarder>>(),
                services.GetRequiredService<TimeProvider>())
            : null;
    }

    private static void AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section, Func<T, IReadOnlyList<string>> validate)
        where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new OptionsValidator<T>(validate));
    }

    private static T Value<T>(IServiceProvider services)
        where T : class =>
        services.GetRequiredService<IOptions<T>>().Value;
}
