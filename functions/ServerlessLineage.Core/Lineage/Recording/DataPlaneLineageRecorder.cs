using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;
using OL = ServerlessLineage.Core.Lineage.OpenLineage.OpenLineageFacets;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// Records the data plane's lineage in an <see cref="ILineageStore"/> in the shared layout: the orchestration run, the cleaning
/// and example-building activity runs, the dataset versions they read and wrote with their facets, derivation edges, row
/// provenance maps and the data-subject index. Every method is idempotent: a re-executed activity re-writes identical records
/// and leaves a finished run as it is. Within an activity, records are written first and the run flips to COMPLETED last, so a
/// crash leaves a RUNNING run whose retry completes it.
/// </summary>
public sealed class DataPlaneLineageRecorder
{
    private readonly ILineageStore _store;
    private readonly LineageWriter _writer;

    /// <summary>Creates a recorder over <paramref name="store"/>.</summary>
    public DataPlaneLineageRecorder(ILineageStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _writer = new LineageWriter(store);
    }

    /// <summary>Records the orchestration run (NEW -> RUNNING) with its job; a run already started or ended is left as it is.</summary>
    public async Task<RunRecord> RecordPipelineStartAsync(PipelineRunInfo run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.InstanceId, nameof(run));
        await _store.WriteAsync(LineageWriter.PipelineGraph(run.RootRunId, run.JobNamespace), cancellationToken);
        var stored = await _store.CreateRunAsync(
            new RunRecord
            {
                RunId = run.RootRunId,
                RootRunId = run.RootRunId,
                JobNamespace = run.JobNamespace,
                JobName = LineageNames.PipelineJob,
                State = RunState.New,
                CreatedAt = run.StartedAt,
                InstanceId = run.InstanceId,
            },
            cancellationToken);
        return stored.State == RunState.New
            ? await _store.TransitionRunAsync(run.RootRunId, new RunTransition(RunState.Running, run.StartedAt), cancellationToken)
            : stored;
    }

    /// <summary>
    /// Marks an activity RUNNING before its work (optional: the Record*Async methods start the run themselves), so that a crash
    /// during the work leaves a visible RUNNING run.
    /// </summary>
    public async Task<RunRecord> RecordActivityStartAsync(
        Guid rootRunId, string jobName, DateTimeOffset at, string jobNamespace = LineageNames.DefaultJobNamespace, CancellationToken cancellationToken = default)
    {
        LineageWriter.RequireActivityJob(jobName, nameof(jobName));
        await _store.WriteAsync(LineageWriter.ActivityGraph(rootRunId, jobNamespace, jobName), cancellationToken);
        return await _writer.StartAsync(LineageWriter.ActivityRun(rootRunId, jobNamespace, jobName, at), at, cancellationToken);
    }

    /// <summary>
    /// Records the cleaning activity: raw events and raw catalog used; cleaned events, cleaned catalog and quarantine produced;
    /// derivation edges; the two row-line maps; the cleaned events' subject index; then the run COMPLETED.
    /// </summary>
    public async Task<RunRecord> RecordCleaningAsync(CleaningLineage cleaning, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cleaning);
        Validate(cleaning);
        var (ns, job) = (cleaning.JobNamespace, LineageNames.CleanEventsJob);
        var run = LineageWriter.ActivityRun(cleaning.RootRunId, ns, job, cleaning.Timing.StartedAt);
        await _writer.StartAsync(run, cleaning.Timing.StartedAt, cancellationToken);

        var rawEvents = NodeId.DatasetVersion(cleaning.RawEvents);
        var rawCatalog = NodeId.DatasetVersion(cleaning.RawCatalog);
        var cleaned = NodeId.DatasetVersion(cleaning.CleanedEvents);
        var catalog = NodeId.DatasetVersion(cleaning.Catalog);
        var quarantine = NodeId.DatasetVersion(cleaning.Quarantine);
        var eventLines = (Ref: new ProvenanceMapRef(cleaned, rawEvents), Map: (ProvenanceMap)cleaning.EventLines);
        var catalogLines = (Ref: new ProvenanceMapRef(catalog, rawCatalog), Map: (ProvenanceMap)cleaning.CatalogLines);
        var (events, catalogMetrics) = (cleaning.EventMetrics, cleaning.CatalogMetrics);

        var versions = new[]
        {
            (cleaning.RawEvents, DatasetFacets.VersionNode(
                cleaning.RawEvents, events.Format, DatasetFacets.RawEventsSchema(events.UnknownColumns),
                FacetSet.Empty.With(OL.DataQualityMetrics, DatasetFacets.RawEventsQuality(events)))),
            (cleaning.RawCatalog, DatasetFacets.VersionNode(
                cleaning.RawCatalog, catalogMetrics.Format, DatasetFacets.RawCatalogSchema(catalogMetrics.UnknownColumns),
                FacetSet.Empty.With(OL.DataQualityMetrics, DatasetFacets.RawCatalogQuality(catalogMetrics)))),
            (cleaning.CleanedEvents, DatasetFacets.VersionNode(
                cleaning.CleanedEvents, DatasetFacets.Parquet, DatasetFacets.Schema(DatasetSchemas.CleanedEvents.Schema),
                FacetSet.Empty
                    .With(OL.OutputStatistics, DatasetFacets.OutputStatistics(events.RowsClean, cleaning.CleanedEvents))
                    .With(OL.ColumnLineage, DatasetFacets.ColumnLineage(cleaning.ColumnLineage))
                    .With(OL.CleaningOutcome, DatasetFacets.CleaningOutcome(events))
                    .With(OL.RowProvenance, DatasetFacets.RowProvenance([eventLines])))),
            (cleaning.Catalog, DatasetFacets.VersionNode(
                cleaning.Catalog, DatasetFacets.Parquet, DatasetFacets.Schema(DatasetSchemas.Catalog.Schema),
                FacetSet.Empty
                    .With(OL.OutputStatistics, DatasetFacets.OutputStatistics(catalogMetrics.RowsClean, cleaning.Catalog))
                    .With(OL.CleaningOutcome, DatasetFacets.CleaningOutcome(catalogMetrics))
                    .With(OL.RowProvenance, DatasetFacets.RowProvenance([catalogLines])))),
            (cleaning.Quarantine, DatasetFacets.VersionNode(
                cleaning.Quarantine, DatasetFacets.Csv, DatasetFacets.QuarantineSchema(),
                FacetSet.Empty.With(OL.OutputStatistics, DatasetFacets.OutputStatistics(events.RowsQuarantined + catalogMetrics.RowsQuarantined, cleaning.Quarantine)))),
        };

        var runId = NodeId.Run(run.RunId);
        var batch = LineageWriter.ActivityGraph(cleaning.RootRunId, ns, job);
        AddVersions(batch, versions);
        batch.Add(rawEvents, runId, EdgeKind.Used).Add(rawCatalog, runId, EdgeKind.Used)
            .Add(runId, cleaned, EdgeKind.Produced).Add(runId, catalog, EdgeKind.Produced).Add(runId, quarantine, EdgeKind.Produced)
            .Add(rawEvents, cleaned, EdgeKind.DerivedFrom).Add(rawCatalog, catalog, EdgeKind.DerivedFrom)
            .Add(catalog, cleaned, EdgeKind.DerivedFrom).Add(rawEvents, quarantine, EdgeKind.DerivedFrom);
        if (catalogMetrics.RowsQuarantined > 0)
        {
            // The quarantine file then holds rejected catalog rows too.
            batch.Add(rawCatalog, quarantine, EdgeKind.DerivedFrom);
        }

        await _writer.WriteGraphAsync(batch, [.. versions.Select(v => v.Item2.Id)], cancellationToken);
        await _store.WriteProvenanceAsync(eventLines.Ref, eventLines.Map, cancellationToken);
        await _store.WriteProvenanceAsync(catalogLines.Ref, catalogLines.Map, cancellationToken);
        await _store.WriteSubjectEntriesAsync(SubjectEntries(cleaning.SubjectRows, cleaned), cancellationToken);
        return await _writer.FinishAsync(run.RunId, Completion(cleaning.Timing, cleaning.StageSeconds), cancellationToken);
    }

    /// <summary>
    /// Records the example-building activity: cleaned events and catalog used, examples produced and derived from both, the
    /// example -> cleaned rows map and its inverse, the examples' subject index; then the run COMPLETED. The cleaned events and
    /// catalog versions are referenced, not described again: their nodes come from <see cref="RecordCleaningAsync"/>.
    /// </summary>
    public async Task<RunRecord> RecordExamplesAsync(ExamplesLineage examples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var rows = examples.Metrics.TrainExamples + examples.Metrics.EvalExamples;
        Validate(examples, rows);
        var (ns, job) = (examples.JobNamespace, LineageNames.BuildExamplesJob);
        var run = LineageWriter.ActivityRun(examples.RootRunId, ns, job, examples.Timing.StartedAt);
        await _writer.StartAsync(run, examples.Timing.StartedAt, cancellationToken);

        var cleaned = NodeId.DatasetVersion(examples.CleanedEvents);
        var catalog = NodeId.DatasetVersion(examples.Catalog);
        var output = NodeId.DatasetVersion(examples.Examples);
        var exampleRows = (Ref: new ProvenanceMapRef(output, cleaned), Map: (ProvenanceMap)examples.ExampleRows);
        var cleanedRows = (Ref: new ProvenanceMapRef(cleaned, output), Map: (ProvenanceMap)examples.CleanedRowExamples);
        var version = DatasetFacets.VersionNode(
            examples.Examples, DatasetFacets.Parquet, DatasetFacets.Schema(ExamplesSchema.Schema),
            FacetSet.Empty
                .With(OL.OutputStatistics, DatasetFacets.OutputStatistics(rows, examples.Examples))
                .With(OL.ColumnLineage, DatasetFacets.ColumnLineage(examples.ColumnLineage))
                .With(LineageNames.ExampleMetricsFacet, DatasetFacets.ExampleMetrics(examples.Metrics))
                .With(OL.RowProvenance, DatasetFacets.RowProvenance([exampleRows, cleanedRows])));

        var runId = NodeId.Run(run.RunId);
        var batch = LineageWriter.ActivityGraph(examples.RootRunId, ns, job);
        AddVersions(batch, [(examples.Examples, version)]);
        batch.Add(cleaned, runId, EdgeKind.Used).Add(catalog, runId, EdgeKind.Used).Add(runId, output, EdgeKind.Produced)
            .Add(cleaned, output, EdgeKind.DerivedFrom).Add(catalog, output, EdgeKind.DerivedFrom);

        await _writer.WriteGraphAsync(batch, [output], cancellationToken);
        await _store.WriteProvenanceAsync(exampleRows.Ref, exampleRows.Map, cancellationToken);
        await _store.WriteProvenanceAsync(cleanedRows.Ref, cleanedRows.Map, cancellationToken);
        await _store.WriteSubjectEntriesAsync(SubjectEntries(examples.SubjectExamples, output), cancellationToken);
        return await _writer.FinishAsync(run.RunId, Completion(examples.Timing, examples.StageSeconds), cancellationToken);
    }

    /// <summary>
    /// Records that the activity <paramref name="jobName"/> of the orchestration run <paramref name="rootRunId"/> FAILED, creating
    /// its run when it never started. A run already FAILED keeps its first error; a COMPLETED run cannot fail
    /// (<see cref="InvalidRunTransitionException"/>).
    /// </summary>
    public async Task<RunRecord> RecordFailureAsync(
        Guid rootRunId, string jobName, string error, DateTimeOffset at, string jobNamespace = LineageNames.DefaultJobNamespace, CancellationToken cancellationToken = default)
    {
        LineageWriter.RequireActivityJob(jobName, nameof(jobName));
        ArgumentException.ThrowIfNullOrEmpty(error);
        await _store.WriteAsync(LineageWriter.ActivityGraph(rootRunId, jobNamespace, jobName), cancellationToken);
        var run = await _store.CreateRunAsync(LineageWriter.ActivityRun(rootRunId, jobNamespace, jobName, at), cancellationToken);
        var failed = new RunTransition(RunState.Failed, at, error, FacetSet.Empty.With(OL.ErrorMessage, LineageWriter.ErrorMessage(error)));
        return await _writer.FinishAsync(run.RunId, failed, cancellationToken);
    }

    /// <summary>
    /// Ends the orchestration run in <paramref name="terminal"/> (COMPLETED, FAILED or ABORTED), with <paramref name="error"/>
    /// for a failure. Ending it again in the same state is a no-op; the run must have been started.
    /// </summary>
    public async Task<RunRecord> RecordPipelineEndAsync(
        Guid rootRunId, RunState terminal, string? error, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (!terminal.IsTerminal())
        {
            throw new ArgumentOutOfRangeException(nameof(terminal), terminal, "A pipeline ends COMPLETED, FAILED or ABORTED.");
        }

        var facets = error is null ? null : FacetSet.Empty.With(OL.ErrorMessage, LineageWriter.ErrorMessage(error));
        return await _writer.FinishAsync(rootRunId, new RunTransition(terminal, at, error, facets), cancellationToken);
    }

    private static RunTransition Completion(ActivityTiming timing, IReadOnlyDictionary<string, double> stageSeconds) =>
        new(RunState.Completed, timing.EndedAt, Facets: stageSeconds.Count == 0
            ? null
            : FacetSet.Empty.With(LineageNames.StageTimingsFacet, DatasetFacets.StageTimings(stageSeconds)));

    private static void AddVersions(LineageBatch batch, IEnumerable<(DatasetVersionRef Ref, LineageNode Node)> versions)
    {
        foreach (var (reference, node) in versions)
        {
            var dataset = DatasetFacets.DatasetNode(reference);
            batch.Add(dataset).Add(node).Add(dataset.Id, node.Id, EdgeKind.VersionOf);
        }
    }

    private static SubjectEntry[] SubjectEntries(IReadOnlyDictionary<string, long> counts, NodeId node) =>
        [.. counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new SubjectEntry(c.Key, node, c.Value))];

    private static void Validate(CleaningLineage cleaning)
    {
        RequireBalanced(cleaning.EventMetrics, nameof(cleaning.EventMetrics));
        RequireBalanced(cleaning.CatalogMetrics, nameof(cleaning.CatalogMetrics));
        RequireKeys(cleaning.EventLines, cleaning.EventMetrics.RowsClean, "cleaned events", nameof(cleaning.EventLines));
        RequireKeys(cleaning.CatalogLines, cleaning.CatalogMetrics.RowsClean, "catalog", nameof(cleaning.CatalogLines));
        LineageWriter.RequireSubjectCounts(cleaning.SubjectRows, cleaning.EventMetrics.RowsClean, nameof(cleaning.SubjectRows));
    }

    private static void Validate(ExamplesLineage examples, long rows)
    {
        RequireKeys(examples.ExampleRows, rows, "examples", nameof(examples.ExampleRows));
        RequireKeys(examples.CleanedRowExamples, examples.Metrics.CleanedRows, "cleaned events", nameof(examples.CleanedRowExamples));
        LineageWriter.RequireSubjectCounts(examples.SubjectExamples, rows, nameof(examples.SubjectExamples));
    }

    private static void RequireBalanced(Quality.CleaningMetrics metrics, string name)
    {
        ArgumentNullException.ThrowIfNull(metrics, name);
        if (!metrics.IsBalanced)
        {
            throw new ArgumentException($"{name} do not balance: rows in != clean + quarantined.", name);
        }
    }

    // A map keyed by a dataset's rows has one key per row; anything else means the map belongs to another version.
    private static void RequireKeys(ProvenanceMap map, long rows, string dataset, string name)
    {
        ArgumentNullException.ThrowIfNull(map, name);
        if (map.Count != rows)
        {
            throw new ArgumentException($"{name} holds {map.Count} keys, but the {dataset} have {rows} rows.", name);
        }
    }
}
