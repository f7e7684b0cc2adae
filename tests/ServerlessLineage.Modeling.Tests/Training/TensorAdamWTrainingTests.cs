using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Training;

public sealed class TensorAdamWTrainingTests
{
    [Fact]
    public void Step_FiveStepsWithChangingLearningRate_MatchesTorchAdamW()
    {
        using var ours = NewProblem();
        using var reference = CopyOf(ours);
        using var initial = CopyOf(ours);
        var (oursDecay, oursPlain) = Split(ours);
        var (refDecay, refPlain) = Split(reference);
        using var optimizer = new TensorAdamW([new AdamWParameterGroup(oursDecay, 0.1), new AdamWParameterGroup(oursPlain, 0)]);
        // torch.optim.AdamW, one instance per weight-decay group; it allocates implicit Scalars, which is fine for five steps.
        using var torchDecay = optim.AdamW(refDecay, lr: 0.01, weight_decay: 0.1);
        using var torchPlain = optim.AdamW(refPlain, lr: 0.01, weight_decay: 0);
        using var x = linspace(-1, 1, 24).reshape(6, 4);
        using var y = linspace(0.5, -0.5, 6).reshape(6, 1);

        double[] rates = [0.01, 0.02, 0.05, 0.03, 0.001];
        foreach (var rate in rates)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            nn.functional.mse_loss(ours.forward(x), y).backward();
            optimizer.Step(rate);

            torchDecay.zero_grad();
            torchPlain.zero_grad();
            nn.functional.mse_loss(reference.forward(x), y).backward();
            foreach (var group in torchDecay.ParamGroups.Concat(torchPlain.ParamGroups))
            {
                group.LearningRate = rate;
            }

            torchDecay.step();
            torchPlain.step();
        }

        var oursParameters = ours.named_parameters().ToList();
        var referenceParameters = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var initialParameters = initial.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in oursParameters)
        {
            var difference = (parameter - referenceParameters[name]).abs().max().item<float>();
            Assert.True(difference < 1e-6, $"{name} differs from torch's AdamW by {difference}");
            var moved = (parameter - initialParameters[name]).abs().max().item<float>();
            Assert.True(moved > 1e-3, $"{name} barely moved ({moved}): the comparison would be vacuous");
        }

        Assert.Equal(rates.Length, optimizer.Steps);
    }

    [Theory]
    [InlineData("bert.embeddings.word_embeddings.weight", true)]
    [InlineData("bert.encoder.layer.0.attention.self.query.weight", true)]
    [InlineData("head.hidden.weight", true)]
    [InlineData("bert.encoder.layer.0.attention.self.query.bias", false)]
    [InlineData("bert.embeddings.LayerNorm.weight", false)]
    [InlineData("bert.encoder.layer.1.output.LayerNorm.bias", false)]
    public void DecaysWeight_ExcludesBiasesAndLayerNorm(string name, bool decays) => Assert.Equal(decays, TensorAdamW.DecaysWeight(name));

    [Fact]
    public void ForNamedParameters_RankingModel_PutsBiasesAndLayerNormInTheUndecayedGroup()
    {
        using var model = new RankingModel(TrainingTestSupport.Micro);
        var named = model.TrainableParameters();
        using var optimizer = TensorAdamW.ForNamedParameters(named, 0.01);
        var decayed = optimizer.Groups[0].Parameters.Select(p => named.Single(n => ReferenceEquals(n.Parameter, p)).Name).ToList();
        var plain = optimizer.Groups[1].Parameters.Select(p => named.Single(n => ReferenceEquals(n.Parameter, p)).Name).ToList();
        Assert.Equal(0.01, optimizer.Groups[0].WeightDecay);
        Assert.Equal(0, optimizer.Groups[1].WeightDecay);
        Assert.Equal(named.Count, decayed.Count + plain.Count);
        Assert.Contains("head.hidden.weight", decayed);
        Assert.Contains("bert.embeddings.LayerNorm.weight", plain);
        Assert.Contains("head.output.bias", plain);
        Assert.All(decayed, n => Assert.False(n.EndsWith(".bias", StringComparison.Ordinal) || n.Contains("LayerNorm", StringComparison.Ordinal)));
    }

    [Fact]
    public void Step_MomentsOutliveTheScopeTheOptimiserWasCreatedIn()
    {
        using var model = nn.Linear(3, 2);
        TensorAdamW optimizer;
        using (NewDisposeScope())
        {
            optimizer = new TensorAdamW([new AdamWParameterGroup([.. model.parameters()], 0.01)]);
        }

        using (optimizer)
        {
            using var scope = NewDisposeScope();
            model.forward(ones(4, 3)).sum().backward();
            optimizer.Step(0.1);
            var (first, second) = optimizer.MomentsOf(model.parameters().First());
            Assert.True(first.abs().sum().item<float>() > 0);
            Assert.True(second.abs().sum().item<float>() > 0);
        }
    }

    private static Sequential NewProblem() => nn.Sequential(("dense", nn.Linear(4, 5)), ("LayerNorm", nn.LayerNorm([5])), ("output", nn.Linear(5, 1)));

    // Copies instead of re-seeding: other test classes draw from libtorch's global generator in parallel.
    private static Sequential CopyOf(Sequential source)
    {
        var copy = NewProblem();
        using var noGrad = no_grad();
        var values = source.state_dict();
        foreach (var (name, tensor) in copy.state_dict())
        {
            tensor.copy_(values[name]);
        }

        return copy;
    }

    private static (Parameter[] Decay, Parameter[] Plain) Split(Sequential module)
    {
        var named = module.named_parameters().ToList();
        return ([.. named.Where(p => TensorAdamW.DecaysWeight(p.name)).Select(p => p.parameter)],
                [.. named.Where(p => !TensorAdamW.DecaysWeight(p.name)).Select(p => p.parameter)]);
    }
}
