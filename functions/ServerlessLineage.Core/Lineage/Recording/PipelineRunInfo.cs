using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>The orchestration run of one pipeline execution: its id, durable instance, start and job namespace.</summary>
public sealed record PipelineRunInfo
{
    /// <summary>The orchestration run id, normally <see cref="RunIds.FromInstanceId"/> of <see cref="InstanceId"/>.</summary>
    public required Guid RootRunId { get; init; }

    /// <summary>The durable orchestration instance id.</summary>
    public required string InstanceId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public string JobNamespace { get; init; } = LineageNames.DefaultJobNamespace;

    /// <summary>The run of <paramref name="instanceId"/>, with its id derived from the instance id.</summary>
    public static PipelineRunInfo ForInstance(string instanceId, DateTimeOffset startedAt, string jobNamespace = LineageNames.DefaultJobNamespace) => new()
    {
        RootRunId = RunIds.FromInstanceId(instanceId),
        InstanceId = instanceId,
        StartedAt = startedAt,
        JobNamespace = jobNamespace,
    };
}
