using Microsoft.AspNetCore.Http;
using ServerlessLineage.Pipeline.Http;

namespace ServerlessLineage.Functions.Http;

/// <summary>
/// Converts between ASP.NET Core's request and response and the host-agnostic <see cref="ApiRequest"/>/<see cref="ApiResponse"/>
/// that <see cref="PipelineApi"/> speaks, so the Functions app and the local host serve identical routes.
/// </summary>
public static class HttpApiAdapter
{
    /// <summary>
    /// The request as the API sees it: method, the escaped path (the API percent-decodes route values itself), the first value
    /// of each query parameter, the content type and the body. The body is read up to one byte past
    /// <see cref="PipelineApi.MaxUploadBytes"/>: enough for the API to reject an over-long upload without buffering all of it.
    /// </summary>
    public static async Task<ApiRequest> ToApiRequestAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.Count > 0 ? p.Value[0] : string.Empty));
        var body = await ReadBodyAsync(request.Body, PipelineApi.MaxUploadBytes + 1, cancellationToken);
        return new ApiRequest(request.Method, request.PathBase.Add(request.Path).ToUriComponent(), query)
        {
            Body = body,
            ContentType = string.IsNullOrWhiteSpace(request.ContentType) ? null : request.ContentType,
        };
    }

    /// <summary>Copies status, content type and body onto <paramref name="response"/>.</summary>
    public static async Task WriteAsync(ApiResponse apiResponse, HttpResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(apiResponse);
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = (int)apiResponse.Status;
        response.ContentType = apiResponse.ContentType;
        response.ContentLength = apiResponse.Body.Length;
        await response.Body.WriteAsync(apiResponse.Body, cancellationToken);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while (buffer.Length < limit && (read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == 0 ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
