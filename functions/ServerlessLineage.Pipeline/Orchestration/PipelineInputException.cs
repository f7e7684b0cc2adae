namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>A run's input cannot be processed as given (a missing blob, a blob replaced since the run started); not retried.</summary>
public sealed class PipelineInputException : Exception
{
    public PipelineInputException(string message)
        : base(message)
    {
    }

    public PipelineInputException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The pipeline run failed; the message says at which stage and why. Its lineage is recorded as FAILED.</summary>
public sealed class PipelineFailedException : Exception
{
    public PipelineFailedException(string message)
        : base(message)
    {
    }

    public PipelineFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
