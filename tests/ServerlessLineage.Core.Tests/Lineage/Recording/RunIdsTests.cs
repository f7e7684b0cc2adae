using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

public sealed class RunIdsTests
{
    // Reference values from Python's uuid.uuid5, an independent RFC 9562 implementation.
    private static readonly Guid DnsNamespace = new("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

    [Fact]
    public void NameBased_PythonDocumentationExample_MatchesReference()
    {
        // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') in Python's documentation.
        Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"), RunIds.NameBased(DnsNamespace, "python.org"));
    }

    [Fact]
    public void OrchestrationNamespace_Always_IsTheVersion5IdOfItsUrl()
    {
        Assert.Equal(RunIds.OrchestrationNamespace, RunIds.NameBased(RunIds.UrlNamespace, RunIds.OrchestrationNamespaceUrl));
    }

    [Fact]
    public void FromInstanceId_KnownInstance_MatchesReference()
    {
        Assert.Equal(new Guid("80233758-e0ab-51bf-8e7a-dde51358b0e1"), RunIds.FromInstanceId("abc-instance"));
    }

    [Fact]
    public void ForActivity_KnownRootAndJob_MatchesReference()
    {
        var root = new Guid("80233758-e0ab-51bf-8e7a-dde51358b0e1");

        Assert.Equal(new Guid("5db66cc0-95d6-5ead-9841-c22565ba6f0b"), RunIds.ForActivity(root, LineageNames.CleanEventsJob));
    }

    [Fact]
    public void FromInstanceId_RepeatedCalls_ReturnTheSameId()
    {
        var first = RunIds.FromInstanceId("raw-events/2026/upload.csv:0x8DC1234");

        Assert.Equal(first, RunIds.FromInstanceId("raw-events/2026/upload.csv:0x8DC1234"));
    }

    [Fact]
    public void FromInstanceId_DistinctInstances_ReturnDistinctIds()
    {
        var ids = Enumerable.Range(0, 1_000).Select(i => RunIds.FromInstanceId($"instance-{i}")).ToHashSet();

        Assert.Equal(1_000, ids.Count);
    }

    [Fact]
    public void ForActivity_EveryJobOfOneRoot_ReturnsDistinctIdsUnlikeTheRoot()
    {
        var root = RunIds.FromInstanceId("one-run");

        var ids = LineageNames.ActivityJobs.Select(job => RunIds.ForActivity(root, job)).Append(root).ToHashSet();

        Assert.Equal(LineageNames.ActivityJobs.Count + 1, ids.Count);
    }

    [Fact]
    public void ForActivity_SameJobOfDistinctRoots_ReturnsDistinctIds()
    {
        var first = RunIds.ForActivity(RunIds.FromInstanceId("run-a"), LineageNames.BuildExamplesJob);

        Assert.NotEqual(first, RunIds.ForActivity(RunIds.FromInstanceId("run-b"), LineageNames.BuildExamplesJob));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("abc-instance")]
    [InlineData("ünïcödé/instance?#")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void Ids_AnyName_HaveVersion5AndTheRfc9562Variant(string name)
    {
        foreach (var id in new[] { RunIds.FromInstanceId(name), RunIds.ForActivity(RunIds.FromInstanceId(name), name) })
        {
            Assert.Equal(5, id.Version);
            Assert.Equal(0b10, id.Variant >> 2);
            Assert.NotEqual(Guid.Empty, id);
        }
    }

    [Fact]
    public void FromInstanceId_EmptyInstance_Throws()
    {
        Assert.Throws<ArgumentException>(() => RunIds.FromInstanceId(string.Empty));
    }

    [Fact]
    public void ForActivity_EmptyRoot_Throws()
    {
        Assert.Throws<ArgumentException>(() => RunIds.ForActivity(Guid.Empty, LineageNames.CleanEventsJob));
    }
}
