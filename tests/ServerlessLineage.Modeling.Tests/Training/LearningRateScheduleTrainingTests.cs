using ServerlessLineage.Modeling.Training;

namespace ServerlessLineage.Modeling.Tests.Training;

public sealed class LearningRateScheduleTrainingTests
{
    [Fact]
    public void At_WarmupThenDecay_RisesLinearlyToPeakThenFallsLinearlyToZero()
    {
        var schedule = new LearningRateSchedule(1e-3, totalSteps: 10, warmupSteps: 4);
        var rates = Enumerable.Range(0, 11).Select(schedule.At).ToArray();
        double[] expected = [0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 1e-3, 1e-3 * 5 / 6, 1e-3 * 4 / 6, 1e-3 * 3 / 6, 1e-3 * 2 / 6, 1e-3 * 1 / 6, 0];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], rates[i], 15);
        }
    }

    [Fact]
    public void At_NoWarmup_StartsAtPeakAndIsZeroPastTheEnd()
    {
        var schedule = LearningRateSchedule.WithWarmupFraction(2.0, 4, 0);
        Assert.Equal(0, schedule.WarmupSteps);
        Assert.Equal([2.0, 1.5, 1.0, 0.5, 0.0, 0.0], Enumerable.Range(0, 6).Select(schedule.At));
    }

    [Fact]
    public void WithWarmupFraction_RoundsUpAndStaysBelowTotal()
    {
        Assert.Equal(2, LearningRateSchedule.WithWarmupFraction(1, 11, 0.1).WarmupSteps);
        Assert.Equal(0, LearningRateSchedule.WithWarmupFraction(1, 1, 0.5).WarmupSteps);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WithWarmupFraction(1, 10, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1, 10, 2).At(-1));
    }
}
