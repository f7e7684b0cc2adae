using Microsoft.AspNetCore.Mvc;
using ServerlessLineage.Pipeline.Http;

namespace ServerlessLineage.Functions.Http;

/// <summary>An <see cref="IActionResult"/> that writes an <see cref="ApiResponse"/> exactly as the API produced it.</summary>
public sealed class ApiResponseResult(ApiResponse response) : IActionResult
{
    public ApiResponse Response { get; } = response ?? throw new ArgumentNullException(nameof(response));

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return HttpApiAdapter.WriteAsync(Response, context.HttpContext.Response, context.HttpContext.RequestAborted);
    }
}
