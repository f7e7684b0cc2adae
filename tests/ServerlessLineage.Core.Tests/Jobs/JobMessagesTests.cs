using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;

namespace ServerlessLineage.Core.Tests.Jobs;

public sealed class JobMessagesTests
{
    private static readonly DatasetVersionRef Examples = new(
        "datasets", "examples/sha256-" + new string('a', 64) + ".parquet", new Sha256Digest(new string('a', 64)), 1234,
        "wasbs://datasets@devstoreaccount1.blob.core.windows.net", "examples");

    private static TrainingJob Job() => new()
    {
        JobId = "job-1",
        RootRunId = Guid.Parse("0b6f3c3e-5d7a-4e59-9a39-3f1c2f7e8a10"),
        InstanceId = "raw-events-0123456789abcdef0123456789abcdef",
        Examples = Examples,
        ModelConfiguration = "tiny",
        OutputContainer = "models",
        OutputPrefix = "runs/0b6f3c3e",
    };

    [Fact]
    public void ParseJob_SerializedJob_RoundTrips()
    {
        var job = Job() with { LearningRate = 3e-5, TopK = 5 };

        Assert.Equal(job, JobMessages.ParseJob(JobMessages.Serialize(job)));
    }

    [Fact]
    public void ParseResult_SerializedFailure_RoundTripsWithOutcomeAsName()
    {
        var result = new TrainingResult
        {
            JobId = "job-1", RootRunId = Job().RootRunId, InstanceId = Job().InstanceId, Outcome = TrainingOutcome.Failed,
            Error = "poisoned after 5 deliveries", Attempts = 5, FinishedAt = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
        };

        var json = JobMessages.Serialize(result);

        Assert.Contains("\"outcome\":\"failed\"", json, StringComparison.Ordinal);
        Assert.Equal(result, JobMessages.ParseResult(json));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("{\"jobId\":\"j\"}")]
    [InlineData("[1,2]")]
    public void ParseJob_NotAJob_ThrowsJobMessageException(string json)
    {
        Assert.Throws<JobMessageException>(() => JobMessages.ParseJob(json));
    }

    [Fact]
    public void ParseJob_UnknownConfiguration_NamesTheField()
    {
        var json = JobMessages.Serialize(Job()).Replace("\"tiny\"", "\"huge\"", StringComparison.Ordinal);

        var error = Assert.Throws<JobMessageException>(() => JobMessages.ParseJob(json));

        Assert.Contains("modelConfiguration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_SucceededWithoutManifest_Throws()
    {
        var result = new TrainingResult { JobId = "j", RootRunId = Job().RootRunId, InstanceId = "i", Outcome = TrainingOutcome.Succeeded };

        Assert.Throws<JobMessageException>(() => JobMessages.Serialize(result));
    }

    [Fact]
    public void ParseResult_OutcomeAsNumber_Throws()
    {
        var json = JobMessages.Serialize(new TrainingResult { JobId = "j", RootRunId = Job().RootRunId, InstanceId = "i", Outcome = TrainingOutcome.Failed, Error = "x" })
            .Replace("\"failed\"", "1", StringComparison.Ordinal);

        Assert.Throws<JobMessageException>(() => JobMessages.ParseResult(json));
    }

    [Fact]
    public void ParseJob_WithoutExplanationFields_TakesTheDefaults()
    {
        var json = JobMessages.Serialize(Job());
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("recommendedContexts");
        node.Remove("explainedContexts");
        node.Remove("explainedRanks");

        var job = JobMessages.ParseJob(node.ToJsonString());

        Assert.Null(job.RecommendedContexts);
        Assert.Equal(20, job.ExplainedContexts);
        Assert.Equal(1, job.ExplainedRanks);
    }

    [Fact]
    public void ParseJob_ExplanationFields_RoundTrip()
    {
        var job = Job() with { RecommendedContexts = 50, ExplainedContexts = 0, ExplainedRanks = 3 };

        Assert.Equal(job, JobMessages.ParseJob(JobMessages.Serialize(job)));
    }

    [Theory]
    [InlineData(0, 20, 1, "recommendedContexts")]
    [InlineData(null, -1, 1, "explainedContexts")]
    [InlineData(null, 20, 0, "explainedRanks")]
    [InlineData(null, 20, 11, "explainedRanks")]
    public void Validate_ExplanationFieldOutOfRange_NamesTheField(int? recommended, int explained, int ranks, string field)
    {
        var job = Job() with { RecommendedContexts = recommended, ExplainedContexts = explained, ExplainedRanks = ranks };

        var error = Assert.Single(job.Validate());

        Assert.Contains(field, error, StringComparison.Ordinal);
    }
}
