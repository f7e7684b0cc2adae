using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Functions.Http;
using ServerlessLineage.Pipeline.Http;

namespace ServerlessLineage.Functions.Hosting;

/// <summary>
/// The one place unhandled exceptions are handled (no try/catch in the functions): for an HTTP function it logs the exception
/// and answers an RFC 7807 500 problem that names the invocation id but no internals; for any other trigger it logs and
/// rethrows, so the host's retries, poison queues and durable failure handling still apply.
/// </summary>
public sealed class ExceptionMiddleware(ILogger<ExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    private const string HttpTriggerType = "httpTrigger";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception e) when (HttpContextFor(context) is { Response.HasStarted: false } http)
        {
            logger.HttpFunctionFailed(e, context.FunctionDefinition.Name, context.InvocationId);
            http.Response.Clear();
            await HttpApiAdapter.WriteAsync(ApiResponse.Problem(InternalProblem(context.InvocationId, http.Request)), http.Response, CancellationToken.None);
        }
        catch (Exception e) when (Log(e, context))
        {
            // Never reached: the filter logs and declines, so the exception propagates with its stack intact.
            throw;
        }
    }

    /// <summary>The 500 problem: a stable type, and the invocation id to quote when reporting it (it finds the logged exception).</summary>
    public static ApiProblem InternalProblem(string invocationId, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ApiProblem(
            ProblemTypes.Internal,
            "Internal error",
            HttpStatusCode.InternalServerError,
            $"The request could not be completed because of an internal error. Quote invocation id {invocationId} when reporting it.")
        {
            Instance = request.Path.Value,
        };
    }

    private static HttpContext? HttpContextFor(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, HttpTriggerType, StringComparison.OrdinalIgnoreCase))
            ? context.GetHttpContext()
            : null;

    private bool Log(Exception exception, FunctionContext context)
    {
        logger.FunctionFailed(exception, context.FunctionDefinition.Name, context.InvocationId);
        return false;
    }
}
