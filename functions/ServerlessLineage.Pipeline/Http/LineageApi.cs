using System.Text.Json.Nodes;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Prov;
using ServerlessLineage.Core.Lineage.Queries;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Pipeline.Http;

/// <summary>
/// The read side of the HTTP API, host-agnostic: each handler validates its parameters, calls one query or export, and maps
/// the outcome to a status code. Bad input is a 400 problem naming the parameter; unknown nodes, runs and records are 404.
/// Other exceptions propagate to the host's exception middleware.
/// </summary>
public sealed class LineageApi
{
    private readonly ILineageStore _store;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly IReadOnlyList<(string[] Segments, Func<ApiRequest, IReadOnlyDictionary<string, string>, CancellationToken, Task<ApiResponse>> Handler)> _routes;

    public LineageApi(ILineageStore store, Pseudonymizer pseudonymizer)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pseudonymizer);
        _store = store;
        _pseudonymizer = pseudonymizer;
        _routes =
        [
            (Split(ApiRoutes.Lineage), (r, _, ct) => GetLineageAsync(r, ct)),
            (Split(ApiRoutes.Run), (r, v, ct) => GetRunAsync(r, v["runId"], ct)),
            (Split(ApiRoutes.RunOpenLineage), (r, v, ct) => GetRunOpenLineageAsync(r, v["runId"], ct)),
            (Split(ApiRoutes.RunProv), (r, v, ct) => GetRunProvAsync(r, v["runId"], ct)),
            (Split(ApiRoutes.Subject), (r, v, ct) => GetSubjectAsync(r, v["user"], ct)),
            (Split(ApiRoutes.Explain), (r, _, ct) => GetExplainAsync(r, ct)),
            (Split(ApiRoutes.Rows), (r, _, ct) => GetRowsAsync(r, ct)),
        ];
    }

    /// <summary>Dispatches a request under <c>/api/</c> to its handler; 404/405 problems for unknown routes and methods.</summary>
    public async Task<ApiResponse> HandleAsync(ApiRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > 0 && string.Equals(segments[0], ApiRoutes.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            segments = segments[1..];
            foreach (var (template, handler) in _routes)
            {
                if (Match(template, segments) is { } values)
                {
                    return request.Method != "GET"
                        ? Problem(ApiProblem.MethodNotAllowed(request.Method, request.Path), request)
                        : await handler(request, values, cancellationToken);
                }
            }
        }

        return Problem(ApiProblem.NoRoute(request.Path), request);
    }

    /// <summary><c>GET /api/lineage</c>.</summary>
    public Task<ApiResponse> GetLineageAsync(ApiRequest request, CancellationToken cancellationToken = default) =>
        GuardAsync(request, async () =>
        {
            var nodeId = ApiParameters.NodeId("nodeId", ApiParameters.Required(request, "nodeId"));
            var direction = ApiParameters.Direction(request, "direction");
            var depth = ApiParameters.Int(request, "depth", LineageGraphQuery.DefaultDepth, 0, LineageGraphQuery.MaxDepth);
            var budget = ApiParameters.Int(request, "budget", LineageGraphQuery.DefaultNodeBudget, 1, LineageGraphQuery.MaxNodeBudget);
            var graph = await new LineageGraphQuery(_store).TraverseAsync(nodeId, direction, depth, budget, cancellationToken);
            return ApiResponse.Json(graph);
        });

    /// <summary><c>GET /api/runs/{runId}</c>.</summary>
    public Task<ApiResponse> GetRunAsync(ApiRequest request, string runId, CancellationToken cancellationToken = default) =>
        GuardAsync(request, async () =>
        {
            var id = ApiParameters.RunId("runId", runId);
            var summary = await new RunSummaryQuery(_store).GetAsync(id, cancellationToken)
                ?? throw NotFound($"Run {id} does not exist.");
            return ApiResponse.Json(summary);
        });

    /// <summary><c>GET /api/runs/{runId}/openlineage</c>: a JSON array, or JSON lines with <c>format=ndjson</c>.</summary>
    public Task<ApiResponse> GetRunOpenLineageAsync(ApiRequest request, string runId, CancellationToken cancellationToken = default) =>
        GuardAsync(request, async () =>
        {
            var id = ApiParameters.RunId("runId", runId);
            var format = ApiParameters.Optional(request, "format")?.ToUpperInvariant();
            if (format is not (null or "JSON" or "NDJSON"))
            {
                throw ApiParameters.Invalid("format", $"'format' is json or ndjson; got '{ApiParameters.Optional(request, "format")}'.");
            }

            var root = await RootOfAsync(id, cancellationToken);
            var events = await new OpenLineageExporter(_store).ExportRunTreeAsync(root, cancellationToken);
            return format == "NDJSON" ? ApiResponse.JsonLines(events) : ApiResponse.Json(new JsonArray([.. events.Select(e => (JsonNode)e.DeepClone())]));
        });

    /// <summary><c>GET /api/runs/{runId}/prov</c>.</summary>
    public Task<ApiResponse> GetRunProvAsync(ApiRequest request, string runId, CancellationToken cancellationToken = default) =>
        GuardAsync(request, async () =>
        {
            var id = ApiParameters.RunId("runId", runId);
            var root = await RootOfAsync(id, cancellationToken);
            return ApiResponse.Json(await new ProvExporter(_store).ExportRunAsync(root, cancellationToken));
        });

    /// <summary><c>GET /api/subjects/{user}</c>: the user id is pseudonymised here and never stored or echoed.</summary>
    public Task<ApiResponse> GetSubjectAsync(ApiRequest request, string user, CancellationToken cancellationToken = default) =>
        GuardAsync(request, async () =>
        {
            if (string.IsNullOrWhiteSpace(user))
            {
                throw ApiParameters.Invalid("user", "The user id is required: GET /api/subjects/{user}.");
            }

            var report = await new SubjectReportQuery(_store, _pseudonymizer).GetForUserAsync(user, cancellationToken);
            return ApiResponse.Json(report);
        });

    /// <summary><c>GET /api/explain?runId=&amp;user=&amp;item=</c> (or <c>subject=</c> instead of <c>user=</c>).</summary>
    public Task<ApiResponse> GetExplainAsync(ApiRequest request, CancellationToken cancellationToken = default) =>
        GuardAsync(request, async () =>
        {
            var runId = ApiParameters.RunId("runId", ApiParameters.Required(request, "runId"));
            var item = ApiParameters.Required(request, "item");
            var user = ApiParameters.Optional(request, "user");
            var subject = ApiParameters.Optional(request, "subject");
            if ((user is null) == (subject is null))
            {
                throw ApiParameters.Invalid("user", "Give exactly one of 'user' (pseudonymised here) and 'subject' (already pseudonymised).");
            }

            subject ??= _pseudonymizer.Pseudonymize(user!);
            _ = await RootOfAsync(runId, cancellationToken);
            var trace = await new RowTraceQuery(_store).ExplainAsync(runId, subject, item, ct: cancellationToken)
                ?? throw NotFound($"Run {runId} has no recommendation of item '{item}' for that subject.");
            return ApiResponse.Json(trace);
        });

    /// <summary><c>GET /api/rows?nodeId=&amp;line=</c> (raw events version) or <c>&amp;row=</c> (cleaned-events or examples version).</summary>
    public Task<ApiResponse> GetRowsAsync(ApiRequest request, CancellationToken cancellationToken = default) =>
        GuardAsync(request, async () =>
        {
            var nodeId = ApiParameters.NodeId("nodeId", ApiParameters.Required(request, "nodeId"));
            if (nodeId.Type != NodeType.DatasetVersion)
            {
                throw ApiParameters.Invalid("nodeId", $"Row traces start at a dataset version (dataset:<namespace>:<name>@sha256:<hex>); got {nodeId}.");
            }

            var line = ApiParameters.Optional(request, "line");
            var row = ApiParameters.Optional(request, "row");
            if ((line is null) == (row is null))
            {
                throw ApiParameters.Invalid("line", "Give exactly one of 'line' (a 1-based line of a raw file) and 'row' (a 0-based row of a derived dataset).");
            }

            var query = new RowTraceQuery(_store);
            object trace = line is not null
                ? await query.TraceRawLineAsync(nodeId, ApiParameters.Long("line", line, 1), cancellationToken)
                : await query.TraceRowAsync(nodeId, ApiParameters.Long("row", row!, 0), cancellationToken);
            return ApiResponse.Json(trace);
        });

    private async Task<Guid> RootOfAsync(Guid runId, CancellationToken cancellationToken)
    {
        var run = await _store.GetRunAsync(runId, cancellationToken) ?? throw NotFound($"Run {runId} does not exist.");
        return run.RootRunId;
    }

    private static async Task<ApiResponse> GuardAsync(ApiRequest request, Func<Task<ApiResponse>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ApiProblemException e)
        {
            return Problem(e.Problem, request);
        }
        catch (LineageNodeNotFoundException e)
        {
            return Problem(ApiProblem.NotFound(e.Message), request);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Queries reject ordinals and lines outside a dataset with this exception; the parameter is the user's.
            return Problem(ApiProblem.InvalidParameter(e.ParamName ?? "request", e.Message), request);
        }
    }

    private static ApiResponse Problem(ApiProblem problem, ApiRequest request) => ApiResponse.Problem(problem with { Instance = request.Path });

    private static ApiProblemException NotFound(string detail) => new(ApiProblem.NotFound(detail));

    private static string[] Split(string template) => template.Split('/');

    private static Dictionary<string, string>? Match(string[] template, string[] segments)
    {
        if (template.Length != segments.Length)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i].StartsWith('{'))
            {
                values[template[i][1..^1]] = Uri.UnescapeDataString(segments[i]);
            }
            else if (!string.Equals(template[i], segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return values;
    }
}
