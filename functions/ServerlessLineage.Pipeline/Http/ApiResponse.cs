using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessLineage.Pipeline.Http;

/// <summary>What a handler answers: a status, a content type and the body bytes. Hosts copy it onto their response.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string ContentType, ReadOnlyMemory<byte> Body)
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string NdjsonContentType = "application/x-ndjson; charset=utf-8";
    public const string ProblemContentType = "application/problem+json; charset=utf-8";

    /// <summary>camelCase, enums as strings, nulls omitted: the API's JSON everywhere.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    public static ApiResponse Json<T>(T value, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status, JsonContentType, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions));

    public static ApiResponse Json(JsonNode node, HttpStatusCode status = HttpStatusCode.OK)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new(status, JsonContentType, Encoding.UTF8.GetBytes(node.ToJsonString()));
    }

    /// <summary>One compact JSON document per line.</summary>
    public static ApiResponse JsonLines(IEnumerable<JsonNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var text = new StringBuilder();
        foreach (var node in nodes)
        {
            text.Append(node.ToJsonString()).Append('\n');
        }

        return new(HttpStatusCode.OK, NdjsonContentType, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>An RFC 7807 problem.</summary>
    public static ApiResponse Problem(ApiProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(problem.Status, ProblemContentType, JsonSerializer.SerializeToUtf8Bytes(problem.ToJson(), JsonOptions));
    }
}
