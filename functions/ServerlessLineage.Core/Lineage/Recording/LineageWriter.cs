using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using OL = ServerlessLineage.Core.Lineage.OpenLineage.OpenLineageFacets;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// What both recorders share: job and run nodes, the run life cycle made safe for re-execution (a stored run is never moved
/// backwards and a finished run is left as it is), and graph writes that keep an already stored dataset version.
/// </summary>
internal sealed class LineageWriter(ILineageStore store)
{
    private static readonly Dictionary<string, string> JobDescriptions = new(StringComparer.Ordinal)
    {
        [LineageNames.PipelineJob] = "Cleans uploaded behaviour events, builds training examples, fine-tunes the ranking model and records its lineage.",
        [LineageNames.CleanEventsJob] = "Validates raw events against the data contract, joins the catalog, pseudonymises users; rejected rows go to quarantine.",
        [LineageNames.BuildExamplesJob] = "Turns impressions into labelled, tokenised training and evaluation examples with behaviour features.",
        [LineageNames.TrainModelJob] = "Fine-tunes the BERT ranking model on the training examples (GPU worker).",
        [LineageNames.RecordModelLineageJob] = "Records the model version, its recommendations, attributions and suspicious training rows.",
    };

    public ILineageStore Store => store;

    /// <summary>A job node; its facets depend only on the job, so every run writes the same node.</summary>
    public static LineageNode JobNode(string jobNamespace, string jobName)
    {
        var facets = FacetSet.Empty.With(OL.JobType, OL.JobTypeFacet(jobName == LineageNames.PipelineJob ? "DAG" : "TASK"));
        if (JobDescriptions.TryGetValue(jobName, out var description))
        {
            facets = facets.With(OL.Documentation, OL.DocumentationFacet(description));
        }

        return new LineageNode { Id = NodeId.Job(jobNamespace, jobName), Namespace = jobNamespace, Name = jobName, Facets = facets };
    }

    /// <summary>A run node: identity only (state, times and facets live in the run record), so a retry writes the same node.</summary>
    public static LineageNode RunNode(Guid runId, string jobNamespace, string jobName) =>
        new() { Id = NodeId.Run(runId), Namespace = jobNamespace, Name = jobName };

    /// <summary>The orchestration's job and run nodes and its InstanceOf edge.</summary>
    public static LineageBatch PipelineGraph(Guid rootRunId, string jobNamespace)
    {
        var job = JobNode(jobNamespace, LineageNames.PipelineJob);
        var run = RunNode(rootRunId, jobNamespace, LineageNames.PipelineJob);
        return new LineageBatch().Add(job).Add(run).Add(job.Id, run.Id, EdgeKind.InstanceOf);
    }

    /// <summary>An activity's job and run nodes, the orchestration run node, and the InstanceOf and ParentRun edges.</summary>
    public static LineageBatch ActivityGraph(Guid rootRunId, string jobNamespace, string jobName)
    {
        var job = JobNode(jobNamespace, jobName);
        var run = RunNode(RunIds.ForActivity(rootRunId, jobName), jobNamespace, jobName);
        var root = RunNode(rootRunId, jobNamespace, LineageNames.PipelineJob);
        return PipelineGraph(rootRunId, jobNamespace)
            .Add(job).Add(run).Add(job.Id, run.Id, EdgeKind.InstanceOf).Add(root.Id, run.Id, EdgeKind.ParentRun);
    }

    /// <summary>A NEW activity run record under <paramref name="rootRunId"/>, with OpenLineage's parent facet.</summary>
    public static RunRecord ActivityRun(Guid rootRunId, string jobNamespace, string jobName, DateTimeOffset createdAt) => new()
    {
        RunId = RunIds.ForActivity(rootRunId, jobName),
        RootRunId = rootRunId,
        ParentRunId = rootRunId,
        JobNamespace = jobNamespace,
        JobName = jobName,
        State = RunState.New,
        CreatedAt = createdAt,
        Facets = FacetSet.Empty.With(OL.Parent, OL.ParentRunFacet(rootRunId, jobNamespace, LineageNames.PipelineJob)),
    };

    public static void RequireActivityJob(string jobName, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobName, parameterName);
        if (jobName == LineageNames.PipelineJob)
        {
            throw new ArgumentException($"'{jobName}' is the orchestration, not an activity; its end is recorded by RecordPipelineEndAsync.", parameterName);
        }
    }

    /// <summary>
    /// Creates <paramref name="run"/> (or finds it) and moves it from NEW to RUNNING. A run already RUNNING or COMPLETED is
    /// returned as it is (a re-executed activity); a FAILED or ABORTED run cannot run again.
    /// </summary>
    public async Task<RunRecord> StartAsync(RunRecord run, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var stored = await store.CreateRunAsync(run, cancellationToken);
        if (stored.State is RunState.Failed or RunState.Aborted)
        {
            throw new InvalidRunTransitionException(stored.RunId, stored.State, RunState.Running);
        }

        return stored.State == RunState.New
            ? await MoveAsync(stored.RunId, new RunTransition(RunState.Running, at), s => s is RunState.Running or RunState.Completed, cancellationToken)
            : stored;
    }

    /// <summary>
    /// Applies a terminal transition unless the run already is in that state (a retry: the first outcome stays, with its times
    /// and facets). Throws <see cref="InvalidRunTransitionException"/> when the run already ended otherwise.
    /// </summary>
    public async Task<RunRecord> FinishAsync(Guid runId, RunTransition transition, CancellationToken cancellationToken)
    {
        var stored = await store.GetRunAsync(runId, cancellationToken) ?? throw new KeyNotFoundException($"Run {runId} does not exist.");
        return stored.State == transition.To
            ? stored
            : await MoveAsync(runId, transition, s => s == transition.To, cancellationToken);
    }

    /// <summary>
    /// Writes nodes and edges. A dataset version in <paramref name="keepStored"/> that the store already holds with other facets
    /// is left as stored: same id means same bytes, and an earlier run described how they were derived (e.g. the same upload
    /// under another name); the new run's edges and maps are still written.
    /// </summary>
    public async Task WriteGraphAsync(LineageBatch batch, IReadOnlyCollection<NodeId> keepStored, CancellationToken cancellationToken)
    {
        var skip = new HashSet<NodeId>();
        foreach (var node in batch.Nodes.Where(n => keepStored.Contains(n.Id)))
        {
            var existing = await store.GetNodeAsync(node.Id, cancellationToken);
            if (existing is not null && !existing.Equals(node))
            {
                skip.Add(node.Id);
            }
        }

        if (skip.Count > 0)
        {
            var kept = new LineageBatch();
            foreach (var node in batch.Nodes.Where(n => !skip.Contains(n.Id)))
            {
                kept.Add(node);
            }

            foreach (var edge in batch.Edges)
            {
                kept.Add(edge.Upstream, edge.Downstream, edge.Kind);
            }

            batch = kept;
        }

        await store.WriteAsync(batch, cancellationToken);
    }

    public static JsonObject ErrorMessage(string error) => OL.ErrorMessageFacet(error);

    /// <summary>
    /// Checks that <paramref name="subject"/> is a pseudonym as <see cref="Cleaning.Pseudonymizer"/> makes them (32 lowercase hex
    /// characters), so that no raw user id can reach the lineage store through a recorder.
    /// </summary>
    public static void RequireSubject(string subject, string parameterName)
    {
        if (subject is not { Length: Cleaning.Pseudonymizer.SubjectLength } || !subject.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            throw new ArgumentException(
                $"A subject is a pseudonym of {Cleaning.Pseudonymizer.SubjectLength} lowercase hex characters; got {subject?.Length ?? 0} characters that are not one (the value is not repeated: it may be a raw user id, which is never recorded).",
                parameterName);
        }
    }

    /// <summary>Checks per-subject counts: pseudonyms only, counts positive, and their sum when <paramref name="expectedTotal"/> is given.</summary>
    public static void RequireSubjectCounts(IReadOnlyDictionary<string, long> counts, long? expectedTotal, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(counts, parameterName);
        long total = 0;
        foreach (var (subject, count) in counts)
        {
            RequireSubject(subject, parameterName);
            if (count <= 0)
            {
                throw new ArgumentException($"Subject {subject} has {count} rows; a subject in the index has at least one.", parameterName);
            }

            total += count;
        }

        if (expectedTotal is { } expected && total != expected)
        {
            throw new ArgumentException($"The per-subject counts add up to {total}, but the dataset has {expected} rows.", parameterName);
        }
    }

    // A concurrent execution may have moved the run in between: its outcome counts when it is one this call accepts.
    private async Task<RunRecord> MoveAsync(Guid runId, RunTransition transition, Func<RunState, bool> accept, CancellationToken cancellationToken)
    {
        try
        {
            return await store.TransitionRunAsync(runId, transition, cancellationToken);
        }
        catch (InvalidRunTransitionException)
        {
            var now = await store.GetRunAsync(runId, cancellationToken);
            if (now is not null && accept(now.State))
            {
                return now;
            }

            throw;
        }
    }
}
