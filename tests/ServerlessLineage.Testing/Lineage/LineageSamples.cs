using System.Security.Cryptography;
using System.Text;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Testing.Lineage;

/// <summary>Deterministic lineage records for store tests: every value follows from a seed.</summary>
public static class LineageSamples
{
    /// <summary>The clock origin of every sample.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An OpenLineage dataset namespace for blobs: holds '/' and ':', as real ones do.</summary>
    public const string DatasetNamespace = "wasbs://datasets@devstoreaccount1.blob.core.windows.net";

    public const string JobNamespace = "serverless-lineage";

    /// <summary>The model version of the recommendation samples.</summary>
    public static NodeId ModelVersion { get; } = NodeId.ModelVersion("ranker", "2025-03-01.1");

    /// <summary>The example dataset the sample model was trained on.</summary>
    public static NodeId TrainingExamples { get; } = DatasetVersionId("examples/train", 900);

    public static Sha256Digest Digest(int seed) => new(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("sample-" + seed))));

    public static NodeId DatasetVersionId(string name, int seed) => NodeId.DatasetVersion(DatasetNamespace, name, Digest(seed));

    /// <summary>A dataset version node with schema and data-quality facets, as the cleaning step writes them.</summary>
    public static LineageNode DatasetVersion(string name, int seed) => new()
    {
        Id = DatasetVersionId(name, seed),
        Namespace = DatasetNamespace,
        Name = name,
        Version = "sha256:" + Digest(seed).Hex,
        CreatedAt = Epoch.AddMinutes(seed),
        Facets = FacetSet.Empty
            .With(OpenLineageFacets.Schema, OpenLineageFacets.SchemaFacet([("event_id", "string", "Event id"), ("ts", "timestamp", null)]))
            .With(OpenLineageFacets.DataQualityMetrics, OpenLineageFacets.DataQualityMetricsFacet(
                1000 + seed, 65_536, new Dictionary<string, (long?, long?)> { ["event_id"] = (0, 1000 + seed), ["query"] = (17, null) })),
    };

    public static LineageNode Dataset(string name) => new() { Id = NodeId.Dataset(DatasetNamespace, name), Namespace = DatasetNamespace, Name = name };

    public static LineageNode Job(string name) => new()
    {
        Id = NodeId.Job(JobNamespace, name),
        Namespace = JobNamespace,
        Name = name,
        Facets = FacetSet.Empty.With(OpenLineageFacets.JobType, OpenLineageFacets.JobTypeFacet("TASK")),
    };

    /// <summary>A deterministic, non-empty run id.</summary>
    public static Guid RunId(int seed) => new(SHA256.HashData(Encoding.UTF8.GetBytes("run-" + seed)).AsSpan(0, 16));

    /// <summary>A NEW run of <paramref name="job"/> created <paramref name="minute"/> minutes after <see cref="Epoch"/>.</summary>
    public static RunRecord Run(Guid runId, Guid rootRunId, Guid? parentRunId, string job, int minute) => new()
    {
        RunId = runId,
        RootRunId = rootRunId,
        ParentRunId = parentRunId,
        JobNamespace = JobNamespace,
        JobName = job,
        State = RunState.New,
        CreatedAt = Epoch.AddMinutes(minute),
        InstanceId = parentRunId is null ? "instance-" + runId.ToString("N")[..8] : null,
        Facets = FacetSet.Empty.With(OpenLineageFacets.HyperParameters, new { learningRate = 3e-5, epochs = 2 }),
    };

    /// <summary>A root (orchestration) run.</summary>
    public static RunRecord RootRun(int seed) => Run(RunId(seed), RunId(seed), null, "pipeline", seed);

    /// <summary>A pseudonymised subject (hex, as HMAC-SHA256 truncated).</summary>
    public static string Subject(int seed) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("subject-" + seed)))[..32];

    public static RecommendationRecord Recommendation(string subject, string itemId, int rank) => new()
    {
        ModelVersion = ModelVersion,
        Subject = subject,
        ItemId = itemId,
        Rank = rank,
        Score = 1.0 / (rank + 0.5),
        SessionId = rank % 2 == 0 ? "session-" + rank : null,
    };

    public static AttributionRecord Attribution(RecommendationRecord recommendation, int tokens = 6) => new()
    {
        Recommendation = recommendation.Id,
        ModelVersion = recommendation.ModelVersion,
        TrainingExamples = TrainingExamples,
        Subject = recommendation.Subject,
        ItemId = recommendation.ItemId,
        Tokens = [.. Enumerable.Range(0, tokens).Select(i => new TokenAttribution(i, i == 0 ? "[CLS]" : "tok" + i, i == 0 ? "special" : i % 2 == 0 ? "item" : "context", (i - 2.5) / 7))],
        Features = [new FeatureAttribution("dwell_ms", 1234.5, 0.125), new FeatureAttribution("clicks_7d", 3, -0.0625)],
        TopExamples = [new InfluentialExample(42, "ex-42", 1, 0.75), new InfluentialExample(7, "ex-7", 0, -0.5)],
        Method = FacetSet.Empty.With("integratedGradients", new { steps = 50, completenessError = 1e-4 }),
    };

    public static SuspiciousRowFinding Finding(long ordinal, int rank) =>
        new(ModelVersion, TrainingExamples, ordinal, "ex-" + ordinal, (int)(ordinal % 2), 10.0 / rank, rank);

    /// <summary>Cleaned rows mostly from consecutive lines with some skipped (rejected) lines; small chunks so there are many.</summary>
    public static RowLineMap LineMap(int rows, int seed, ProvenanceChunkOptions? options = null)
    {
        var random = new Random(seed);
        var builder = new RowLineMapBuilder(options ?? new ProvenanceChunkOptions { MaxKeysPerChunk = 16 });
        long line = 1;
        for (var row = 0; row < rows; row++)
        {
            line += random.Next(10) == 0 ? random.Next(2, 20) : 1;
            builder.Add(line);
        }

        return builder.Build();
    }

    /// <summary>Examples built from one to four cleaned rows each.</summary>
    public static RowSetMap SetMap(int keys, int seed, ProvenanceChunkOptions? options = null)
    {
        var random = new Random(seed);
        var builder = new RowSetMapBuilder(options ?? new ProvenanceChunkOptions { MaxKeysPerChunk = 16 });
        for (var key = 0; key < keys; key++)
        {
            var set = new SortedSet<long>();
            var size = random.Next(1, 5);
            while (set.Count < size)
            {
                set.Add(random.Next(0, keys * 3));
            }

            builder.Add(set.ToArray());
        }

        return builder.Build();
    }

    /// <summary>Every chunk payload of <paramref name="map"/> in order.</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Payloads(ProvenanceMap map) => [.. map.Chunks.Select(c => c.Payload)];
}
