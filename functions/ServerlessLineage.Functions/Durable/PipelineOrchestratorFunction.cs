using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using ServerlessLineage.Pipeline.Orchestration;

namespace ServerlessLineage.Functions.Durable;

/// <summary>The pipeline orchestration, bound to the Functions durable extension; the logic is <see cref="PipelineOrchestrator"/>.</summary>
public static class PipelineOrchestratorFunction
{
    [Function(PipelineTaskNames.Orchestrator)]
    public static Task<PipelineOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context) =>
        PipelineOrchestrator.RunAsync(context, context?.GetInput<PipelineRunRequest>());
}
