using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Text;
using ServerlessLineage.Modeling.Attribution;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Tests.TestData;
using ServerlessLineage.Modeling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Gpu;

/// <summary>The CUDA code paths: the same computations on the GPU agree with the CPU.</summary>
public sealed class CudaPathTests(PreparedShopData data) : IClassFixture<PreparedShopData>
{
    [CudaFact]
    public void AutoDevicePicksCuda() => Assert.Equal(DeviceType.CUDA, TorchRuntime.ResolveDevice("auto").type);

    [CudaFact]
    public void ForwardOnCudaMatchesCpu()
    {
        TorchRuntime.Seed(5);
        using var model = RankingModel.Create(ModelConfiguration.MiniLm);
        model.eval();
        using var scope = NewDisposeScope();
        using var batch = ExampleTensors.Batch(data.Examples, [0, 1, 2, 3]);
        using var noGrad = no_grad();
        var cpu = model.Forward(batch).data<float>().ToArray();
        model.to(CUDA);
        using var onGpu = batch.To(CUDA);
        var gpu = model.Forward(onGpu).cpu().data<float>().ToArray();
        Assert.All(cpu.Zip(gpu), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-3));
    }

    [CudaFact]
    public void TrainingOnCudaLowersTheLoss()
    {
        TorchRuntime.Seed(5);
        using var model = RankingModel.Create(ModelConfiguration.Tiny);
        using var trainer = new Trainer(model, new TrainingOptions { Device = "cuda", Epochs = 2, BatchSize = 32, LearningRate = 1e-3 });
        var rows = data.Examples.RowsOf(ExamplesSchema.TrainSplit).Take(256).ToArray();
        var before = trainer.EvaluateLoss(data.Examples, rows);
        trainer.Train(data.Examples, rows, data.Examples.RowsOf(ExamplesSchema.EvalSplit).Take(64).ToArray());
        Assert.True(trainer.EvaluateLoss(data.Examples, rows) < before);
    }

    [CudaFact]
    public void IntegratedGradientsOnCudaAreComplete()
    {
        TorchRuntime.Seed(5);
        using var model = RankingModel.Create(ModelConfiguration.Tiny);
        model.to(CUDA);
        using var batch = ExampleTensors.Batch(data.Examples, [0], withLabels: false);
        using var onGpu = batch.To(CUDA);
        var explanation = new IntegratedGradients(model, new BertPairEncoder(data.Examples.SequenceLength)).Explain(onGpu);
        Assert.True(explanation.CompletenessError < 0.01, $"completeness error {explanation.CompletenessError}");
    }
}
