using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Core.Tests.Lineage.OpenLineage;

/// <summary>Emitted events against the official OpenLineage schemas, and proof that the validator rejects what it should.</summary>
public sealed class OpenLineageSchemaTests
{
    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task ExportRunTreeAsync_EveryEvent_ValidAgainstSpecAndFacetSchemas()
    {
        var events = await ExportAsync(RunState.Failed);

        var errors = events.SelectMany(e => Spec.Validate(e).Select(error => $"{OpenLineageEventIdentity.Of(e)}: {error}")).ToList();

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task ExportRunTreeAsync_RunningTree_EveryEventValid()
    {
        var events = await ExportAsync(RunState.Running);

        Assert.All(events, e => Assert.Empty(Spec.Validate(e)));
    }

    [OpenLineageSpecFact]
    public void Validate_SpecFolder_RegistersRunEventSchemaAndEveryFacetFile()
    {
        var directory = OpenLineageSpec.FindDirectory()!;

        Assert.Equal(1 + Directory.GetFiles(Path.Combine(directory, "facets"), "*.json").Length, Spec.DocumentCount);
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_EventWithoutRunId_Rejected()
    {
        var broken = await ValidEventAsync();
        broken["run"]!.AsObject().Remove("runId");

        Assert.NotEmpty(Spec.Validate(broken));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_RunIdNotUuid_Rejected()
    {
        var broken = await ValidEventAsync();
        broken["run"]!["runId"] = "run-42";

        Assert.NotEmpty(Spec.Validate(broken));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_UnknownEventType_Rejected()
    {
        var broken = await ValidEventAsync();
        broken["eventType"] = "FINISHED";

        Assert.NotEmpty(Spec.Validate(broken));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_EventWithoutJob_Rejected()
    {
        var broken = await ValidEventAsync();
        broken.Remove("job");

        Assert.NotEmpty(Spec.Validate(broken));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_EventTimeNotDateTime_Rejected()
    {
        var broken = await ValidEventAsync();
        broken["eventTime"] = "01/03/2025 10:00";

        Assert.NotEmpty(Spec.Validate(broken));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_StandardFacetBreakingItsSchema_Rejected()
    {
        var broken = await ValidEventAsync();
        broken["outputs"]![0]!["facets"]![OpenLineageFacets.Schema]!["fields"] = "event_id, subject";

        Assert.Contains(Spec.Validate(broken), e => e.StartsWith("outputs[0].schema", StringComparison.Ordinal));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_CustomFacetWithoutProducer_Rejected()
    {
        var broken = await ValidEventAsync();
        broken["outputs"]![0]!["facets"]![OpenLineageFacets.CleaningOutcome]!.AsObject().Remove("_producer");

        Assert.Contains(Spec.Validate(broken), e => e.StartsWith("outputs[0].serverlessLineage_cleaningOutcome", StringComparison.Ordinal));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_FacetNamingUnknownSchema_Rejected()
    {
        var broken = await ValidEventAsync();
        broken["run"]!["facets"]![OpenLineageFacets.Parent]!["_schemaURL"] = "https://openlineage.io/spec/facets/9-9-9/ParentRunFacet.json#/$defs/ParentRunFacet";

        Assert.Contains(Spec.Validate(broken), e => e.Contains("no registered schema", StringComparison.Ordinal));
    }

    [OpenLineageSpecFact(Timeout = 60_000)]
    public async Task Validate_ErrorMessageFacetWithoutMessage_Rejected()
    {
        var events = await ExportAsync(RunState.Failed);
        var broken = events.Single(e => OpenLineageEventIdentity.Of(e) == new OpenLineageEventIdentity(SampleLineage.RecordRunId, OpenLineageEvents.Fail));
        broken["run"]!["facets"]![OpenLineageFacets.ErrorMessage]!.AsObject().Remove("message");

        Assert.Contains(Spec.Validate(broken), e => e.StartsWith("run.errorMessage", StringComparison.Ordinal));
    }

    private static OpenLineageSpec Spec => OpenLineageSpec.Instance!;

    /// <summary>The clean run's COMPLETE event: a parent facet, inputs, and an output with standard and custom facets.</summary>
    private static async Task<JsonObject> ValidEventAsync()
    {
        var events = await ExportAsync(RunState.Failed);
        var runEvent = events.Single(e => OpenLineageEventIdentity.Of(e) == new OpenLineageEventIdentity(SampleLineage.CleanRunId, OpenLineageEvents.Complete));
        Assert.Empty(Spec.Validate(runEvent));
        return runEvent;
    }

    private static async Task<IReadOnlyList<JsonObject>> ExportAsync(RunState rootState)
    {
        var sample = await SampleLineage.CreateAsync(rootState);
        return await new OpenLineageExporter(sample.Store).ExportRunTreeAsync(SampleLineage.RootRunId);
    }
}
