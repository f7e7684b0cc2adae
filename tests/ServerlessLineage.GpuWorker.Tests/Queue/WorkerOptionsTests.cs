using ServerlessLineage.GpuWorker.Queue;

namespace ServerlessLineage.GpuWorker.Tests.Queue;

public sealed class WorkerOptionsTests
{
    [Fact]
    public void Validate_Defaults_HasNoErrors()
    {
        Assert.Empty(new WorkerOptions().Validate());
    }

    [Fact]
    public void Validate_RenewalNotBelowVisibilityTimeout_NamesTheSetting()
    {
        var options = new WorkerOptions { VisibilityTimeout = TimeSpan.FromSeconds(30), RenewalInterval = TimeSpan.FromSeconds(30) };

        Assert.Contains(options.Validate(), e => e.StartsWith("Worker:RenewalInterval", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Training-Jobs")]
    [InlineData("ab")]
    [InlineData("jobs--queue")]
    [InlineData("-jobs")]
    public void Validate_InvalidQueueName_NamesTheSetting(string name)
    {
        Assert.Contains(new WorkerOptions { JobsQueue = name }.Validate(), e => e.StartsWith("Worker:JobsQueue", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SameQueueTwice_IsAnError()
    {
        Assert.Contains(new WorkerOptions { PoisonQueue = "training-jobs" }.Validate(), e => e.Contains("three different queues", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NoDeliveryOrNoConcurrency_ReportsBoth()
    {
        var errors = new WorkerOptions { MaxDequeueCount = 0, MaxConcurrentJobs = 0 }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Worker:MaxDequeueCount", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Worker:MaxConcurrentJobs", StringComparison.Ordinal));
    }

    [Fact]
    public void RetryDelayAfter_SuccessiveDeliveries_DoublesUpToOneHour()
    {
        var options = new WorkerOptions { RetryDelay = TimeSpan.FromSeconds(30) };

        Assert.Equal(
            [TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromHours(1)],
            new long[] { 1, 2, 3, 30 }.Select(options.RetryDelayAfter));
    }
}
