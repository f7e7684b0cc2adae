using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using ServerlessLineage.Functions.Hosting;
using ServerlessLineage.Pipeline.Http;

namespace ServerlessLineage.Functions.Http;

/// <summary>
/// The HTTP API: one catch-all route under the <c>api</c> prefix (host.json), dispatched by <see cref="PipelineApi"/>, which
/// owns every route and answers unknown ones with 404/405 problems. Function-level keys guard it in Azure.
/// </summary>
public sealed class HttpApiFunction(PipelineClients clients)
{
    /// <summary>Route template: everything under the prefix.</summary>
    public const string Route = "{*path}";

    [Function(FunctionNames.HttpApi)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = Route)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var apiRequest = await HttpApiAdapter.ToApiRequestAsync(request, cancellationToken);
        return new ApiResponseResult(await clients.Api(client).HandleAsync(apiRequest, cancellationToken));
    }
}
