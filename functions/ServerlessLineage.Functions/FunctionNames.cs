namespace ServerlessLineage.Functions;

/// <summary>
/// Names of the trigger functions that are not durable tasks (those are named by
/// <see cref="Pipeline.Orchestration.PipelineTaskNames"/>). They appear in <c>functions.metadata</c>, the portal and the logs.
/// </summary>
public static class FunctionNames
{
    /// <summary>Event Grid-sourced blob trigger on <c>raw-events</c>: an upload starts a run.</summary>
    public const string RawEventsUploaded = "RawEventsUploaded";

    /// <summary>Queue trigger on <c>training-results</c>: raises "TrainingCompleted" on the waiting run.</summary>
    public const string TrainingResultReceived = "TrainingResultReceived";

    /// <summary>The HTTP API: every route under <c>/api/</c>.</summary>
    public const string HttpApi = "HttpApi";
}
