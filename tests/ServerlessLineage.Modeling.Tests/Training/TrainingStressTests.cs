using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Training;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public sealed class TrainingStressTests
{
    /// <summary>
    /// TorchSharp 0.107 crashes the process when implicit Scalars are finalised on the GC thread mid-step; forcing collections
    /// and finalisers continuously while stepping exposes any that the step path creates.
    /// </summary>
    [Fact]
    public void Step_ThreeHundredStepsWhileAnotherThreadForcesGarbageCollection_DoesNotCrash()
    {
        random.manual_seed(6);
        using var model = new RankingModel(TrainingTestSupport.MicroTopLayer);
        using var trainer = new Trainer(model, TrainingTestSupport.CpuOptions with { LearningRate = 1e-3 });
        using var batch = SafetensorsTrainingTests.SyntheticBatch(model.FeatureCount, batch: 4, length: 8);
        using var done = new ManualResetEventSlim();
        var collections = 0;
        var collector = new Thread(() =>
        {
            while (!done.IsSet)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
                // A short pause keeps the collector from starving the stepping thread on a 2-core machine; finalisers still
                // run hundreds of times during the 300 steps.
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        collector.Start();

        var losses = new List<double>();
        try
        {
            for (var i = 0; i < 300; i++)
            {
                losses.Add(trainer.Step(batch, 1e-3));
            }
        }
        finally
        {
            done.Set();
            collector.Join();
        }

        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses.TakeLast(20).Average() < losses.Take(20).Average(), "300 steps on one batch should fit it better");
        Assert.True(collections > 100, $"only {collections} forced collections ran alongside the steps");
    }
}
