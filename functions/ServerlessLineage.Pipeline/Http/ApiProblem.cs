using System.Net;
using System.Text.Json.Nodes;

namespace ServerlessLineage.Pipeline.Http;

/// <summary>
/// An RFC 7807 problem: a stable <see cref="Type"/> URI per kind of error, a short title, the status, a detail that says what was
/// wrong with this request, and the request path as the instance. Optional extension members (e.g. the parameter name).
/// </summary>
public sealed record ApiProblem(string Type, string Title, HttpStatusCode Status, string Detail)
{
    public string? Instance { get; init; }

    /// <summary>The query or route parameter at fault, as an extension member.</summary>
    public string? Parameter { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["type"] = Type,
            ["title"] = Title,
            ["status"] = (int)Status,
            ["detail"] = Detail,
        };
        if (Instance is not null)
        {
            json["instance"] = Instance;
        }

        if (Parameter is not null)
        {
            json["parameter"] = Parameter;
        }

        return json;
    }

    /// <summary>A required parameter is absent or has a value of the wrong form or range (400).</summary>
    public static ApiProblem InvalidParameter(string parameter, string detail) =>
        new(ProblemTypes.InvalidParameter, "Invalid request parameter", HttpStatusCode.BadRequest, detail) { Parameter = parameter };

    /// <summary>The node, run or record named by the request does not exist (404).</summary>
    public static ApiProblem NotFound(string detail) =>
        new(ProblemTypes.NotFound, "Not found", HttpStatusCode.NotFound, detail);

    /// <summary>No route matches the path (404) or the method is not allowed (405).</summary>
    public static ApiProblem NoRoute(string path) =>
        new(ProblemTypes.NoRoute, "No such route", HttpStatusCode.NotFound, $"No API route matches '{path}'.");

    public static ApiProblem MethodNotAllowed(string method, string path) =>
        new(ProblemTypes.MethodNotAllowed, "Method not allowed", HttpStatusCode.MethodNotAllowed, $"{method} is not allowed on '{path}'; use GET.");
}

/// <summary>The problem type URIs the API uses (documented in the README's HTTP API section).</summary>
public static class ProblemTypes
{
    private const string Base = "urn:serverlesslineage:problem:";

    public const string InvalidParameter = Base + "invalid-parameter";
    public const string NotFound = Base + "not-found";
    public const string NoRoute = Base + "no-route";
    public const string MethodNotAllowed = Base + "method-not-allowed";
    public const string Conflict = Base + "conflict";
    public const string Internal = Base + "internal-error";
}
