using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ServerlessLineage.LocalHost.Durable;

/// <summary>
/// Runs Durable orchestrations outside the Functions host, durably: the Durable Task Azure Storage backend (the one Durable
/// Functions uses in Azure) keeps every orchestration's history and queues in the given storage account (Azurite locally), a
/// gRPC sidecar on loopback serves that backend, and the standard gRPC worker and client talk to it. So the pipeline's
/// orchestrators and activities run unchanged, callers get the same <see cref="DurableTaskClient"/> type the Functions host
/// injects, and an orchestration survives a kill of this process: a new runtime on the same task hub continues it (an activity
/// that was running is re-delivered after <see cref="LocalDurableOptions.WorkItemVisibilityTimeout"/>, so at least once).
/// </summary>
public sealed class LocalDurableRuntime : IAsyncDisposable
{
    private readonly WebApplication _sidecar;
    private readonly GrpcChannel _channel;
    private readonly IHost _worker;
    private readonly TimeSpan _shutdownTimeout;
    private int _disposed;

    private LocalDurableRuntime(WebApplication sidecar, GrpcChannel channel, IHost worker, Uri sidecarAddress, TimeSpan shutdownTimeout)
    {
        _sidecar = sidecar;
        _channel = channel;
        _worker = worker;
        SidecarAddress = sidecarAddress;
        _shutdownTimeout = shutdownTimeout;
        Client = worker.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>Schedules, queries and raises events on orchestrations of this task hub.</summary>
    public DurableTaskClient Client { get; }

    /// <summary>The worker host's services: what <c>configureServices</c> registered, as activities see them.</summary>
    public IServiceProvider Services => _worker.Services;

    /// <summary>The loopback address of the gRPC sidecar (an OS-chosen port).</summary>
    public Uri SidecarAddress { get; }

    /// <summary>
    /// Creates the task hub in storage if it does not exist, starts the sidecar and the worker, and returns once the client can be
    /// used. <paramref name="registerTasks"/> registers the orchestrators and activities (the pipeline's shared registration);
    /// <paramref name="configureServices"/> adds the services the activities take in their constructors.
    /// </summary>
    public static async Task<LocalDurableRuntime> StartAsync(
        LocalDurableOptions options,
        Action<DurableTaskRegistry> registerTasks,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registerTasks);
        options.EnsureValid();
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;

        var service = new AzureStorageOrchestrationService(CreateSettings(options, loggerFactory));
        WebApplication? sidecar = null;
        GrpcChannel? channel = null;
        IHost? worker = null;
        try
        {
            await service.CreateIfNotExistsAsync().WaitAsync(cancellationToken);

            sidecar = BuildSidecar(service, options, loggerFactory);
            await sidecar.StartAsync(cancellationToken);
            var address = BoundAddress(sidecar);

            channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { LoggerFactory = loggerFactory });
            worker = BuildWorker(channel, options, loggerFactory, registerTasks, configureServices);
            await worker.StartAsync(cancellationToken);
            return new LocalDurableRuntime(sidecar, channel, worker, address, options.ShutdownTimeout);
        }
        catch
        {
            await StopQuietlyAsync(worker, channel, sidecar, options.ShutdownTimeout);
            throw;
        }
    }

    /// <summary>
    /// Waits until the orchestration completes, fails or is terminated, polling its status every <paramref name="pollInterval"/>
    /// (default 100 ms). The client's own <c>WaitForInstanceCompletionAsync</c> works too, but the Azure Storage backend answers it
    /// by polling every 2 s, which dominates short runs (a 3-activity chain: ~0.3 s of work, ~2 s to notice).
    /// </summary>
    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var state = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
            if (state is { RuntimeStatus: OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated })
            {
                return state;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>
    /// Stops the worker, then the sidecar, which stops the backend (giving up its partition lease). Work in flight is abandoned
    /// after <see cref="LocalDurableOptions.ShutdownTimeout"/> and re-delivered to the next runtime on the task hub.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopQuietlyAsync(_worker, _channel, _sidecar, _shutdownTimeout);
    }

    internal static AzureStorageOrchestrationServiceSettings CreateSettings(LocalDurableOptions options, ILoggerFactory loggerFactory) => new()
    {
        StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnectionString),
        TaskHubName = options.TaskHubName,
        AppName = options.TaskHubName,
        WorkerId = options.WorkerId,
        PartitionCount = options.PartitionCount,
        ControlQueueVisibilityTimeout = options.WorkItemVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = options.WorkItemVisibilityTimeout,
        MaxQueuePollingInterval = options.MaxQueuePollingInterval,
        // The table-based partition manager lets a restarted worker with the same id take its partition back at once; the blob
        // lease managers make it wait for the blob lease (15-60 s) its killed predecessor held.
        UseTablePartitionManagement = true,
        LeaseInterval = options.LeaseInterval,
        LeaseRenewInterval = TimeSpan.FromTicks(options.LeaseInterval.Ticks / 3),
        LeaseAcquireInterval = TimeSpan.FromTicks(options.LeaseInterval.Ticks / 3),
        MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
        MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
        LoggerFactory = loggerFactory,
    };

    private static WebApplication BuildSidecar(AzureStorageOrchestrationService service, LocalDurableOptions options, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        UseLogging(builder.Services, builder.Logging, loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
            // Loopback only, an OS-chosen port; gRPC without TLS needs HTTP/2 with prior knowledge.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        return app;
    }

    private static IHost BuildWorker(
        GrpcChannel channel,
        LocalDurableOptions options,
        ILoggerFactory loggerFactory,
        Action<DurableTaskRegistry> registerTasks,
        Action<IServiceCollection>? configureServices)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        UseLogging(builder.Services, builder.Logging, loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(channel);
            worker.AddTasks(registerTasks);
        });
        builder.Services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(channel);
            client.RegisterDirectly();
        });
        return builder.Build();
    }

    private static void UseLogging(IServiceCollection services, ILoggingBuilder logging, ILoggerFactory loggerFactory)
    {
        logging.ClearProviders();
        services.Replace(ServiceDescriptor.Singleton(loggerFactory));
    }

    private static Uri BoundAddress(WebApplication sidecar)
    {
        var addresses = sidecar.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException("The durable sidecar started but reports no listening address.");
        return new Uri(address);
    }

    private static async Task StopQuietlyAsync(IHost? worker, GrpcChannel? channel, WebApplication? sidecar, TimeSpan timeout)
    {
        // Each step is bounded; a stop that fails must not keep the next one (and the partition lease release) from running.
        using var deadline = new CancellationTokenSource(timeout);
        if (worker is not null)
        {
            await StepAsync(() => worker.StopAsync(deadline.Token));
            worker.Dispose();
        }

        if (channel is not null)
        {
            await StepAsync(channel.ShutdownAsync);
            channel.Dispose();
        }

        if (sidecar is not null)
        {
            await StepAsync(() => sidecar.StopAsync(deadline.Token));
            await sidecar.DisposeAsync();
        }

        // The backend is not stopped here: the sidecar stops it itself when it stops (from its ApplicationStopping handler, an
        // async void). Stopping it a second time races that call, and DurableTask.AzureStorage's app lease manager throws a
        // NullReferenceException on the second stop: inside the sidecar's handler that exception is unhandled and ended the
        // process (seen at the end of `lineage run`). A backend the sidecar never started holds no lease to give back.
    }

    private static async Task StepAsync(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // Shutting down: what did not stop in time is abandoned, and the backend re-delivers it to the next runtime.
        }
    }
}
