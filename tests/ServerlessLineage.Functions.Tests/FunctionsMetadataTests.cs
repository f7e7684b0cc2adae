using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using ServerlessLineage.Functions.Http;
using ServerlessLineage.Functions.Hosting;
using ServerlessLineage.Functions.Triggers;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage.Queues;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Functions.Tests;

/// <summary>
/// The <c>functions.metadata</c> the build generated is what the Functions host indexes: every function must be there with the
/// right trigger, and every entry point must be a method carrying the same <c>[Function]</c> name.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<(string Path, JsonArray Functions)> Metadata = new(Load);

    [Fact]
    public void Metadata_ListsExactlyTheAppsFunctions()
    {
        var expected = PipelineTaskNames.Activities
            .Append(PipelineTaskNames.Orchestrator)
            .Append(FunctionNames.RawEventsUploaded)
            .Append(FunctionNames.TrainingResultReceived)
            .Append(FunctionNames.HttpApi)
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, Metadata.Value.Functions.Select(f => (string)f!["name"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Orchestrator_HasAnOrchestrationTrigger()
    {
        var trigger = Assert.Single(Bindings(PipelineTaskNames.Orchestrator));
        AssertBinding(trigger, "orchestrationTrigger", "In");
    }

    [Fact]
    public void EveryActivityName_HasAFunctionWithAnActivityTrigger()
    {
        Assert.Equal(9, PipelineTaskNames.Activities.Count);
        foreach (var activity in PipelineTaskNames.Activities)
        {
            AssertBinding(Assert.Single(Bindings(activity)), "activityTrigger", "In");
        }
    }

    [Fact]
    public void RawEventsTrigger_IsAnEventGridBlobTriggerOnRawEvents_WithADurableClient()
    {
        var bindings = Bindings(FunctionNames.RawEventsUploaded);
        var trigger = Single(bindings, "blobTrigger");
        AssertBinding(trigger, "blobTrigger", "In");
        Assert.Equal("EventGrid", (string?)trigger["source"]);
        Assert.Equal("raw-events/{name}", (string?)trigger["path"]);
        Assert.Equal(FunctionSettings.StorageConnection, (string?)trigger["connection"]);
        AssertBinding(Single(bindings, "durableClient"), "durableClient", "In");
        Assert.Equal(2, bindings.Count);
    }

    [Fact]
    public void TrainingResultsTrigger_IsAQueueTriggerOnTrainingResults_WithADurableClient()
    {
        var bindings = Bindings(FunctionNames.TrainingResultReceived);
        var trigger = Single(bindings, "queueTrigger");
        AssertBinding(trigger, "queueTrigger", "In");
        Assert.Equal(QueueNames.TrainingResults, (string?)trigger["queueName"]);
        Assert.Equal(FunctionSettings.StorageConnection, (string?)trigger["connection"]);
        AssertBinding(Single(bindings, "durableClient"), "durableClient", "In");
        Assert.Equal(2, bindings.Count);
    }

    [Fact]
    public void HttpApi_IsACatchAllHttpTriggerForGetAndPost_WithAnHttpResultAndADurableClient()
    {
        var bindings = Bindings(FunctionNames.HttpApi);
        var trigger = Single(bindings, "httpTrigger");
        AssertBinding(trigger, "httpTrigger", "In");
        Assert.Equal(HttpApiFunction.Route, (string?)trigger["route"]);
        Assert.Equal("Function", (string?)trigger["authLevel"]);
        Assert.Equal(["get", "post"], trigger["methods"]!.AsArray().Select(m => ((string)m!).ToLowerInvariant()).Order(StringComparer.Ordinal));
        AssertBinding(Single(bindings, "durableClient"), "durableClient", "In");
        AssertBinding(Single(bindings, "http"), "http", "Out");
    }

    [Fact]
    public void EveryEntryPoint_IsAMethodWithTheSameFunctionName()
    {
        var assembly = typeof(HttpApiFunction).Assembly;
        foreach (var function in Metadata.Value.Functions)
        {
            var name = (string)function!["name"]!;
            var entryPoint = (string)function["entryPoint"]!;
            var split = entryPoint.LastIndexOf('.');
            var type = assembly.GetType(entryPoint[..split], throwOnError: true)!;
            var method = Assert.Single(type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static), m => m.Name == entryPoint[(split + 1)..]);
            Assert.Equal(name, method.GetCustomAttribute<FunctionAttribute>()?.Name);
            Assert.Equal(Path.GetFileName(assembly.Location), (string?)function["scriptFile"]);
        }
    }

    [Fact]
    public void ExtensionsJson_RegistersTheDurableBlobAndQueueExtensions()
    {
        var extensions = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(Metadata.Value.Path)!, "extensions.json")))!["extensions"]!.AsArray();
        var names = extensions.Select(e => (string)e!["name"]!).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["DurableTask", "AzureStorageBlobs", "AzureStorageQueues"], StringComparer.Ordinal), names);
    }

    private static List<JsonObject> Bindings(string function) =>
        Assert.Single(Metadata.Value.Functions, f => (string)f!["name"]! == function)!["bindings"]!.AsArray().Select(b => b!.AsObject()).ToList();

    private static JsonObject Single(IEnumerable<JsonObject> bindings, string type) =>
        Assert.Single(bindings, b => string.Equals((string?)b["type"], type, StringComparison.OrdinalIgnoreCase));

    private static void AssertBinding(JsonObject binding, string type, string direction)
    {
        Assert.Equal(type, (string?)binding["type"], ignoreCase: true);
        Assert.Equal(direction, (string?)binding["direction"], ignoreCase: true);
    }

    /// <summary>
    /// The metadata is generated into the Functions project's own output folder (bin/&lt;configuration&gt;/&lt;framework&gt;/), not
    /// the test's: look beside this test's binaries first, then in the Functions project's output for the same configuration and
    /// framework as this test run, and fail naming every place looked at.
    /// </summary>
    private static (string Path, JsonArray Functions) Load()
    {
        const string FileName = "functions.metadata";
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var project = Path.Combine(RepositoryRoot.Find(), "functions", "ServerlessLineage.Functions");
        string[] candidates =
        [
            Path.Combine(testOutput.FullName, FileName),
            Path.Combine(project, "bin", configuration, framework, FileName),
        ];
        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"No {FileName}; looked at: {string.Join(", ", candidates)}. Build the Functions project first.");
        return (path, JsonNode.Parse(File.ReadAllText(path))!.AsArray());
    }
}
