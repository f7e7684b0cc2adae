using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Functions.Durable;
using ServerlessLineage.Functions.Hosting;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Functions.Tests;

/// <summary>
/// The app's own container (<see cref="FunctionsServices.AddServerlessLineage"/>) over the sample settings, and the durable
/// registration that binds the orchestrator and activities through the function classes, as the Functions host does.
/// </summary>
internal static class TestServices
{
    /// <summary>A valid test secret (base64 of 32 bytes).</summary>
    public const string Secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// <summary>The <c>Values</c> of <c>local.settings.sample.json</c> at the repository root.</summary>
    public static IReadOnlyDictionary<string, string> SampleSettings()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    /// <summary>Configuration as the Functions host builds it from app settings (<c>__</c> separates sections).</summary>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var values = settings.ToDictionary(p => p.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), p => (string?)p.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            values[key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>The app's container over the sample settings (with <see cref="Secret"/>) and the given overrides.</summary>
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?>? overrides = null, IPipelineActivities? activities = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Pseudonymisation__Secret"] = Secret };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var services = new ServiceCollection().AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddServerlessLineage(Configuration(SampleSettings(), all));
        if (activities is not null)
        {
            services.AddSingleton(activities);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Registers the orchestrator and every activity by calling the Functions app's wrapper methods.</summary>
    public static DurableTaskRegistry AddFunctionWrappers(this DurableTaskRegistry registry, PipelineActivityFunctions functions)
    {
        registry.AddOrchestratorFunc<PipelineRunRequest, PipelineOutcome>(PipelineTaskNames.Orchestrator, (context, _) => PipelineOrchestratorFunction.Run(context));
        registry.AddActivityFunc<StartRunInput, Guid>(PipelineTaskNames.StartRun, (_, input) => functions.StartRun(input!, CancellationToken.None));
        registry.AddActivityFunc<CleanEventsInput, CleaningPlanOutput>(PipelineTaskNames.PlanCleaning, (_, input) => functions.PlanCleaning(input!, CancellationToken.None));
        registry.AddActivityFunc<CleanShardInput, Core.Cleaning.CleaningShardResult>(PipelineTaskNames.CleanShard, (_, input) => functions.CleanShard(input!, CancellationToken.None));
        registry.AddActivityFunc<MergeCleaningInput, CleaningOutput>(PipelineTaskNames.MergeCleaning, (_, input) => functions.MergeCleaning(input!, CancellationToken.None));
        registry.AddActivityFunc<BuildExamplesInput, ExamplesOutput>(PipelineTaskNames.BuildExamples, (_, input) => functions.BuildExamples(input!, CancellationToken.None));
        registry.AddActivityFunc<SubmitTrainingInput, Core.Jobs.TrainingJob>(PipelineTaskNames.SubmitTraining, (_, input) => functions.SubmitTraining(input!, CancellationToken.None));
        registry.AddActivityFunc<RecordModelInput, ModelOutput>(PipelineTaskNames.RecordModelLineage, (_, input) => functions.RecordModelLineage(input!, CancellationToken.None));
        registry.AddActivityFunc<StepFailureInput, Core.Lineage.Runs.RunState>(PipelineTaskNames.RecordStepFailure, (_, input) => functions.RecordStepFailure(input!, CancellationToken.None));
        registry.AddActivityFunc<FinalizeRunInput, FinalizeOutput>(PipelineTaskNames.FinalizeRun, (_, input) => functions.FinalizeRun(input!, CancellationToken.None));
        return registry;
    }
}
