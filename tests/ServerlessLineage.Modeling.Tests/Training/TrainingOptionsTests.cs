using ServerlessLineage.Modeling.Training;

namespace ServerlessLineage.Modeling.Tests.Training;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass() => new TrainingOptions().Validate();

    [Theory]
    [InlineData("epochs")]
    [InlineData("batch")]
    [InlineData("lr")]
    [InlineData("warmup")]
    [InlineData("patience")]
    [InlineData("eval")]
    [InlineData("checkpoints")]
    [InlineData("device")]
    [InlineData("clip")]
    public void Validate_InvalidSetting_Throws(string setting)
    {
        var options = setting switch
        {
            "epochs" => new TrainingOptions { Epochs = 0 },
            "batch" => new TrainingOptions { BatchSize = 0 },
            "lr" => new TrainingOptions { LearningRate = double.NaN },
            "warmup" => new TrainingOptions { WarmupFraction = 1 },
            "patience" => new TrainingOptions { Patience = 0 },
            "eval" => new TrainingOptions { EvalEverySteps = 0 },
            "checkpoints" => new TrainingOptions { CheckpointCount = 2 },
            "device" => new TrainingOptions { Device = " " },
            "clip" => new TrainingOptions { MaxGradNorm = 0 },
            _ => throw new ArgumentOutOfRangeException(nameof(setting)),
        };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Theory]
    [InlineData(3, 9, new[] { 3, 6, 9 })]
    [InlineData(3, 10, new[] { 4, 7, 10 })]
    [InlineData(4, 2, new[] { 1, 2 })]
    public void CheckpointSteps_EvenFractionsEndingAtTheLastStep(int count, int total, int[] expected) =>
        Assert.Equal(expected, new TrainingOptions { CheckpointCount = Math.Max(3, count) }.CheckpointSteps(total));
}
