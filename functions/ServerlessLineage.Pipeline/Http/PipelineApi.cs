using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage.Blobs;

namespace ServerlessLineage.Pipeline.Http;

/// <summary>
/// The whole HTTP API of a host that runs the pipeline: <c>POST /api/runs</c> starts (or finds) a run, <c>GET /api/runs/{runId}</c>
/// adds the orchestration's live status (<c>live</c>) to the lineage run summary, and every other route is <see cref="LineageApi"/>'s. The
/// Functions app and the local host serve it unchanged.
/// </summary>
public sealed class PipelineApi
{
    /// <summary>Largest events file accepted in a request body; larger files go to blob storage first.</summary>
    public const int MaxUploadBytes = 100 * 1024 * 1024;

    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly LineageApi _lineage;
    private readonly ILineageStore _store;
    private readonly DurableTaskClient _client;
    private readonly RunStarter _starter;
    private readonly BlobServiceClient _blobs;
    private readonly string _rawContainer;
    private readonly string _uploadContainer;

    public PipelineApi(LineageApi lineage, ILineageStore store, DurableTaskClient client, RunStarter starter, BlobServiceClient blobs,
        string rawContainer = ContainerNames.RawEvents, string uploadContainer = ContainerNames.Uploads)
    {
        ArgumentNullException.ThrowIfNull(lineage);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(starter);
        ArgumentNullException.ThrowIfNull(blobs);
        _lineage = lineage;
        _store = store;
        _client = client;
        _starter = starter;
        _blobs = blobs;
        _rawContainer = rawContainer;
        _uploadContainer = uploadContainer;
    }

    /// <summary>Dispatches any request under <c>/api/</c>.</summary>
    public async Task<ApiResponse> HandleAsync(ApiRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var isApi = segments.Length > 0 && string.Equals(segments[0], ApiRoutes.Prefix, StringComparison.OrdinalIgnoreCase);
        if (isApi && segments.Length == 2 && string.Equals(segments[1], ApiRoutes.Runs, StringComparison.OrdinalIgnoreCase))
        {
            return request.Method == "POST"
                ? await GuardAsync(request, async () =>
                {
                    try
                    {
                        return await StartRunAsync(request, cancellationToken);
                    }
                    catch (PipelineInputException e)
                    {
                        throw ApiParameters.Invalid("blob", e.Message);
                    }
                })
                : Problem(new ApiProblem(ProblemTypes.MethodNotAllowed, "Method not allowed", HttpStatusCode.MethodNotAllowed, $"{request.Method} is not allowed on '{request.Path}'; use POST."), request);
        }

        if (isApi && segments.Length == 3 && request.Method == "GET" && string.Equals(segments[1], "runs", StringComparison.OrdinalIgnoreCase))
        {
            return await GetRunAsync(request, Uri.UnescapeDataString(segments[2]), cancellationToken);
        }

        return await _lineage.HandleAsync(request, cancellationToken);
    }

    /// <summary><c>POST /api/runs</c>; throws <see cref="PipelineInputException"/> for a blob or catalog that cannot be used.</summary>
    public async Task<ApiResponse> StartRunAsync(ApiRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var media = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        BlobVersion events;
        RunSettings settings;
        BlobVersion? catalog = null;
        if (media is "application/json")
        {
            var body = ParseBody(request.Body);
            events = body.Etag is { Length: > 0 } etag
                ? new BlobVersion(body.Container ?? _rawContainer, Required(body.Blob, "blob"), etag)
                : await _starter.CurrentVersionAsync(body.Container ?? _rawContainer, Required(body.Blob, "blob"), cancellationToken);
            if (body.Catalog is { } named)
            {
                catalog = await _starter.CurrentVersionAsync(named.Container ?? _starter.CatalogContainer, Required(named.Blob, "catalog.blob"), cancellationToken);
            }

            settings = body.ToSettings();
        }
        else if (media is "text/csv" or "application/x-ndjson" or "application/jsonl" or "application/octet-stream")
        {
            events = await UploadAsync(request, media, cancellationToken);
            settings = SettingsFromQuery(request);
        }
        else
        {
            throw ApiParameters.Invalid(
                "Content-Type",
                $"Send a JSON blob reference (application/json) or an events file (text/csv or application/x-ndjson); got '{request.ContentType ?? "none"}'.");
        }

        var start = await _starter.StartAsync(events, catalog, settings, cancellationToken);

        var json = new JsonObject
        {
            ["runId"] = start.RunId.ToString("D"),
            ["instanceId"] = start.InstanceId,
            ["alreadyExisted"] = start.AlreadyExisted,
            ["status"] = start.Status?.ToString(),
            ["events"] = new JsonObject { ["container"] = events.Container, ["blob"] = events.Name, ["etag"] = events.ETag },
            ["statusUrl"] = $"/{ApiRoutes.Prefix}/runs/{start.RunId:D}",
        };
        return ApiResponse.Json(json, start.AlreadyExisted ? HttpStatusCode.OK : HttpStatusCode.Accepted);
    }

    /// <summary><c>GET /api/runs/{runId}</c>: the lineage run summary plus a <c>live</c> object: the durable orchestration's state, stage and figures.</summary>
    public async Task<ApiResponse> GetRunAsync(ApiRequest request, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var summary = await _lineage.GetRunAsync(request, runId, cancellationToken);
        if (summary.Status != HttpStatusCode.OK || !Guid.TryParse(runId, out var id))
        {
            return summary;
        }

        var run = await _store.GetRunAsync(id, cancellationToken);
        if (run?.InstanceId is not { } instanceId)
        {
            return summary;
        }

        var json = JsonNode.Parse(summary.Body.Span)!.AsObject();
        json["live"] = await DescribeInstanceAsync(instanceId, cancellationToken);
        return ApiResponse.Json(json);
    }

    /// <summary>The orchestration's state as JSON (null-valued fields left out); <c>{"instanceId": …, "runtimeStatus": "Unknown"}</c> when the backend has no such instance.</summary>
    public async Task<JsonObject> DescribeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var instance = await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        var json = new JsonObject { ["instanceId"] = instanceId, ["runtimeStatus"] = instance?.RuntimeStatus.ToString() ?? "Unknown" };
        if (instance is null)
        {
            return json;
        }

        json["createdAt"] = instance.CreatedAt;
        json["lastUpdatedAt"] = instance.LastUpdatedAt;
        if (instance.ReadCustomStatusAs<PipelineStatus>() is { } status)
        {
            json["customStatus"] = JsonSerializer.SerializeToNode(status, ApiResponse.JsonOptions);
        }

        if (instance.FailureDetails is { } failure)
        {
            json["error"] = failure.ErrorMessage;
        }

        return json;
    }

    private async Task<BlobVersion> UploadAsync(ApiRequest request, string media, CancellationToken cancellationToken)
    {
        if (request.Body.IsEmpty)
        {
            throw ApiParameters.Invalid("body", "The request body is empty: send the events file.");
        }

        if (request.Body.Length > MaxUploadBytes)
        {
            throw ApiParameters.Invalid("body", $"The events file is {request.Body.Length:N0} bytes; upload files over {MaxUploadBytes:N0} bytes to the '{_rawContainer}' container instead (the upload starts the run).");
        }

        var extension = media is "text/csv" ? ".csv" : ".jsonl";
        var name = ApiParameters.Optional(request, "name") ?? "events" + extension;
        if (name.Length > 200 || name.IndexOfAny(['/', '\\', '?', '#']) >= 0 || name.Any(char.IsControl))
        {
            throw ApiParameters.Invalid("name", "'name' is a plain file name of at most 200 characters.");
        }

        // Content-addressed, so posting the same file twice names the same blob version and finds the same run. Stored outside the
        // raw-events container, so the blob trigger does not also start it (with default settings instead of the posted ones).
        var hash = Convert.ToHexStringLower(SHA256.HashData(request.Body.Span))[..16];
        var container = _blobs.GetBlobContainerClient(_uploadContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var blob = container.GetBlobClient($"uploads/{hash}/{name}");
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(request.Body), overwrite: false, cancellationToken);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 409)
        {
            // The same bytes were uploaded before: that version's run is the one to return.
        }

        return await _starter.CurrentVersionAsync(_uploadContainer, blob.Name, cancellationToken);
    }

    private static RunSettings SettingsFromQuery(ApiRequest request) => new()
    {
        ModelConfiguration = ApiParameters.Optional(request, "modelConfiguration"),
        Epochs = ApiParameters.Optional(request, "epochs") is null ? null : ApiParameters.Int(request, "epochs", 3, 1, 1_000),
        Seed = ApiParameters.Optional(request, "seed") is null ? null : ApiParameters.Int(request, "seed", 42, 0, int.MaxValue),
        TopK = ApiParameters.Optional(request, "topK") is null ? null : ApiParameters.Int(request, "topK", 10, 1, 1_000),
        TrainingTimeout = ApiParameters.Optional(request, "trainingTimeoutSeconds") is null
            ? null
            : TimeSpan.FromSeconds(ApiParameters.Int(request, "trainingTimeoutSeconds", 7_200, 1, 7 * 24 * 3_600)),
    };

    private static StartRunBody ParseBody(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize<StartRunBody>(body.Span, BodyOptions)
                ?? throw ApiParameters.Invalid("body", "The body is JSON null; send {\"blob\": \"<name>\"}.");
        }
        catch (JsonException e)
        {
            throw ApiParameters.Invalid("body", $"The body is not a valid run request: {e.Message}");
        }
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw ApiParameters.Invalid(name, $"'{name}' is required.") : value;

    private static async Task<ApiResponse> GuardAsync(ApiRequest request, Func<Task<ApiResponse>> handle)
    {
        try
        {
            return await handle();
        }
        catch (ApiProblemException e)
        {
            return Problem(e.Problem, request);
        }
    }

    private static ApiResponse Problem(ApiProblem problem, ApiRequest request) => ApiResponse.Problem(problem with { Instance = request.Path });

    /// <summary>The JSON body of <c>POST /api/runs</c>.</summary>
    private sealed record StartRunBody
    {
        public string? Container { get; init; }

        public string? Blob { get; init; }

        public string? Etag { get; init; }

        public BlobReference? Catalog { get; init; }

        public string? ModelConfiguration { get; init; }

        public int? Epochs { get; init; }

        public int? Seed { get; init; }

        public int? TopK { get; init; }

        public int? TrainingTimeoutSeconds { get; init; }

        public RunSettings ToSettings() => new()
        {
            ModelConfiguration = ModelConfiguration,
            Epochs = Epochs,
            Seed = Seed,
            TopK = TopK,
            TrainingTimeout = TrainingTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
    }

    private sealed record BlobReference(string? Container, string? Blob);
}
