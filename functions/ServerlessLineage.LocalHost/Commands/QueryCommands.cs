using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.LocalHost.Local;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Storage.Lineage;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary>
/// <c>lineage status</c>, <c>trace</c>, <c>explain</c> and <c>subject</c>: the HTTP API's lineage routes from the command line,
/// against the local storage (a running <c>lineage serve</c>'s, else the persistent local Azurite). <c>--json</c> prints the
/// API's JSON unchanged.
/// </summary>
internal static class QueryCommands
{
    public static IEnumerable<Command> Create() => [Status(), Trace(), Explain(), Subject()];

    private static Command Status()
    {
        var run = new Argument<string>("run") { Description = "Run id (the UUID `lineage run` printed)." };
        var (json, storage) = CommonOptions();
        var command = new Command("status", "Show a run: the orchestration's state and stage (live while `lineage serve` or `lineage run` is up), each activity's state and timings, data-quality figures and model metrics.")
        {
            run, json, storage,
        };
        command.SetAction((parse, ct) => QueryAsync(
            parse, json, storage, $"/api/runs/{Uri.EscapeDataString(parse.GetValue(run)!)}", RenderStatus, preferLiveHost: true, ct));
        return command;
    }

    private static Command Trace()
    {
        var node = new Argument<string>("node") { Description = "Node id, e.g. `dataset:wasbs://raw-events@devstoreaccount1.blob.core.windows.net:events.csv`, `run:<uuid>` or `model:<name>@<version>`." };
        var direction = new Option<string>("--direction") { Description = "upstream, downstream or both.", DefaultValueFactory = _ => "both" };
        var depth = new Option<int>("--depth") { Description = "Hops to follow (0-100).", DefaultValueFactory = _ => 20 };
        var (json, storage) = CommonOptions();
        var command = new Command("trace", "Walk the lineage graph from one node: datasets, versions, jobs, runs, models and recommendations upstream and/or downstream of it.")
        {
            node, direction, depth, json, storage,
        };
        command.SetAction((parse, ct) => QueryAsync(
            parse, json, storage,
            $"/api/lineage?nodeId={Uri.EscapeDataString(parse.GetValue(node)!)}&direction={Uri.EscapeDataString(parse.GetValue(direction)!)}&depth={parse.GetValue(depth).ToString(CultureInfo.InvariantCulture)}",
            RenderGraph, preferLiveHost: false, ct));
        return command;
    }

    private static Command Explain()
    {
        var run = new Option<string>("--run") { Description = "Run id.", Required = true };
        var user = new Option<string>("--user") { Description = "The user id as in the raw events (pseudonymised before lookup; never stored).", Required = true };
        var item = new Option<string>("--item") { Description = "The recommended item id.", Required = true };
        var (json, storage) = CommonOptions();
        var command = new Command("explain", "Trace one recommendation backwards: the tokens and features behind it (Integrated Gradients), the training examples behind it (TracIn), and the cleaned rows and raw blob lines those came from.")
        {
            run, user, item, json, storage,
        };
        command.SetAction((parse, ct) => QueryAsync(
            parse, json, storage,
            $"/api/explain?runId={Uri.EscapeDataString(parse.GetValue(run)!)}&user={Uri.EscapeDataString(parse.GetValue(user)!)}&item={Uri.EscapeDataString(parse.GetValue(item)!)}",
            RenderExplain, preferLiveHost: false, ct));
        return command;
    }

    private static Command Subject()
    {
        var user = new Argument<string>("user") { Description = "The user id as in the raw events (pseudonymised before lookup; never stored)." };
        var (json, storage) = CommonOptions();
        var command = new Command("subject", "Everything derived from one person's rows: dataset versions, models and recommendations, with row counts (a data-subject access report).")
        {
            user, json, storage,
        };
        command.SetAction((parse, ct) => QueryAsync(
            parse, json, storage, $"/api/subjects/{Uri.EscapeDataString(parse.GetValue(user)!)}", RenderSubject, preferLiveHost: false, ct));
        return command;
    }

    private static (Option<bool> Json, Option<string?> Storage) CommonOptions() =>
        (new Option<bool>("--json") { Description = "Print the API's JSON instead of text." },
         new Option<string?>("--storage") { Description = "Storage connection string (default: SERVERLESSLINEAGE_STORAGE, else the local Azurite under .local/)." });

    private static async Task<int> QueryAsync(
        ParseResult parse, Option<bool> json, Option<string?> storage, string pathAndQuery, Action<JsonObject, TextWriter> render, bool preferLiveHost, CancellationToken cancellationToken)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        ApiResponse response;
        try
        {
            response = preferLiveHost && parse.GetValue(storage) is null && LocalServeState.ReadLive() is { } live
                ? await FromLiveHostAsync(live, pathAndQuery, cancellationToken)
                : await InProcessAsync(parse.GetValue(storage), pathAndQuery, stderr, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        if (response.Status != HttpStatusCode.OK)
        {
            var problem = JsonNode.Parse(response.Body.Span);
            await stderr.WriteLineAsync($"error: {problem?["detail"]?.GetValue<string>() ?? response.BodyText}");
            return response.Status == HttpStatusCode.NotFound ? 3 : 2;
        }

        if (parse.GetValue(json))
        {
            await stdout.WriteLineAsync(response.BodyText);
        }
        else
        {
            render(JsonNode.Parse(response.Body.Span)!.AsObject(), stdout);
        }

        return 0;
    }

    private static async Task<ApiResponse> InProcessAsync(string? connectionString, string pathAndQuery, TextWriter log, CancellationToken cancellationToken)
    {
        await using var storage = await LocalStorage.OpenAsync(connectionString, log, cancellationToken);
        var store = new TableLineageStore(new TableServiceClient(storage.ConnectionString), new LineageTableOptions());
        await store.EnsureTablesAsync(cancellationToken);
        var api = new LineageApi(store, new Pseudonymizer(LocalSecret.Load()));
        return await api.HandleAsync(ApiRequest.Get(pathAndQuery), cancellationToken);
    }

    private static async Task<ApiResponse> FromLiveHostAsync(LocalServeState live, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(live.ApiUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri(pathAndQuery, UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? ApiResponse.JsonContentType, body);
    }

    internal static void RenderStatus(JsonObject json, TextWriter output)
    {
        var root = json["live"] as JsonObject;
        output.WriteLine($"run {json["runId"]}");
        if (root?["runtimeStatus"] is { } runtime)
        {
            var stage = root["customStatus"]?["stage"];
            output.WriteLine($"  orchestration {runtime}{(stage is null ? "" : $", stage {stage}")}{(root["error"] is { } error ? $": {error}" : "")}");
        }

        if (json["orchestration"] is JsonObject { } details && details["jobName"] is not null)
        {
            output.WriteLine($"  pipeline {details["state"]} {Seconds(details["durationSeconds"])}{(details["error"] is { } e ? $" error: {e}" : "")}");
        }

        foreach (var activity in json["activities"]?.AsArray() ?? [])
        {
            output.WriteLine($"  {activity!["jobName"],-32} {activity["state"],-10} {Seconds(activity["durationSeconds"])}{(activity["error"] is { } error ? $"  error: {error}" : "")}");
        }

        foreach (var model in json["models"]?.AsArray() ?? [])
        {
            output.WriteLine($"  model {model!["modelVersion"]?["id"]}: {model["metrics"]?.ToJsonString()}");
        }
    }

    internal static void RenderGraph(JsonObject json, TextWriter output)
    {
        var nodes = json["nodes"]?.AsArray() ?? [];
        var edges = json["edges"]?.AsArray() ?? [];
        output.WriteLine($"{nodes.Count} nodes, {edges.Count} edges from {json["start"]} ({json["direction"]}, depth {json["depth"]}){(json["isPartial"]?.GetValue<bool>() == true ? $" — partial: {json["partialReason"]}" : "")}");
        foreach (var node in nodes.OrderBy(n => n!["distance"]?.GetValue<int>() ?? 0))
        {
            output.WriteLine($"  [{node!["distance"]}] {node["type"],-16} {node["id"]}");
        }

        foreach (var edge in edges)
        {
            output.WriteLine($"  {edge!["upstream"]} -{edge["kind"]}-> {edge["downstream"]}");
        }
    }

    internal static void RenderExplain(JsonObject json, TextWriter output)
    {
        output.WriteLine($"recommendation {json["recommendation"]?["id"]}: rank {json["rank"]}, score {json["score"]}");
        var tokens = json["tokens"]?.AsArray() ?? [];
        if (tokens.Count > 0)
        {
            var top = tokens.OrderByDescending(t => Math.Abs(t!["score"]?.GetValue<double>() ?? 0)).Take(10);
            output.WriteLine("  words (Integrated Gradients): " + string.Join(", ", top.Select(t => $"{t!["token"]} {t["score"]?.GetValue<double>():+0.000;-0.000}")));
        }

        var features = json["features"]?.AsArray() ?? [];
        if (features.Count > 0)
        {
            output.WriteLine("  features: " + string.Join(", ", features.Select(f => $"{f!["name"]}={f["value"]} {f["score"]?.GetValue<double>():+0.000;-0.000}")));
        }

        foreach (var example in json["topExamples"]?.AsArray() ?? [])
        {
            var lines = new StringBuilder();
            foreach (var source in example!["rawLines"]?.AsArray() ?? [])
            {
                lines.Append(CultureInfo.InvariantCulture, $" {source!["dataset"]?["name"]} lines {string.Join(",", (source["lines"]?.AsArray() ?? []).Select(l => l!.ToString()))};");
            }

            output.WriteLine($"  training example {example["exampleId"]} (label {example["label"]}, influence {example["score"]?.GetValue<double>():+0.0000;-0.0000}):{lines}");
        }

        if (json["hasAttribution"]?.GetValue<bool>() != true)
        {
            output.WriteLine("  (no attribution record: the model explained only the top recommendation of each context)");
        }
    }

    internal static void RenderSubject(JsonObject json, TextWriter output)
    {
        output.WriteLine($"subject {json["subject"]}: {json["totalNodes"]} records, {json["totalCount"]} rows");
        foreach (var group in json["groups"]?.AsArray() ?? [])
        {
            output.WriteLine($"  {group!["type"]}: {group["nodeCount"]} ({group["totalCount"]} rows)");
            foreach (var node in group["nodes"]?.AsArray() ?? [])
            {
                output.WriteLine($"    {node!["id"]} ({node["count"]})");
            }
        }
    }

    private static string Seconds(JsonNode? value) =>
        value is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{value.GetValue<double>():0.0} s");
}
