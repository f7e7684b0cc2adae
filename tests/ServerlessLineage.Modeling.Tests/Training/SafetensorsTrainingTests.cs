using System.Text;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Training;

public sealed class SafetensorsTrainingTests
{
    // Pinned by hand from the format's definition: u64 LE header length, compact JSON with __metadata__ first and tensors in
    // name order, spaces up to an 8-byte boundary (138 + 6 = 144), then raw little-endian data, 8-byte elements first.
    private const string PinnedHeader =
        """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"b":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}""";

    private static readonly byte[] PinnedData =
    [
        0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // b = 7L
        0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, // a = [1.0f, -2.0f]
    ];

    [Fact]
    public void Serialize_KnownTensors_ProducesTheExactByteLayout()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor> { ["b"] = tensor(7L), ["a"] = tensor(new[] { 1f, -2f }) };
        var bytes = Safetensors.Serialize(tensors, new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(144UL, BitConverter.ToUInt64(bytes, 0));
        Assert.Equal(Pinned(PinnedHeader, padding: 6), bytes);
    }

    [Fact]
    public void Parse_HandBuiltFileInAnotherKeyOrder_ReadsValuesAndMetadata()
    {
        // Another writer may order keys differently and put the data in another order: only the offsets matter.
        const string header = """{"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]},"a":{"shape":[2],"dtype":"F32","data_offsets":[0,8]},"__metadata__":{"k":"v"}}""";
        var file = new List<byte>();
        var padded = header + new string(' ', (8 - (header.Length % 8)) % 8);
        file.AddRange(BitConverter.GetBytes((ulong)padded.Length));
        file.AddRange(Encoding.UTF8.GetBytes(padded));
        file.AddRange(PinnedData[8..]);
        file.AddRange(PinnedData[..8]);

        var parsed = Safetensors.Parse(file.ToArray());
        Assert.Equal("v", parsed.Metadata["k"]);
        Assert.Equal(["a", "b"], parsed.Entries.Select(e => e.Name));
        var tensors = Safetensors.ReadTensors(file.ToArray());
        using var a = tensors["a"];
        using var b = tensors["b"];
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal([1f, -2f], a.data<float>().ToArray());
        Assert.Equal(ScalarType.Int64, b.dtype);
        Assert.Empty(b.shape);
        Assert.Equal(7L, b.item<long>());
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("overlap")]
    [InlineData("gap")]
    [InlineData("size")]
    [InlineData("dtype")]
    public void Parse_MalformedFile_Throws(string defect)
    {
        var bytes = defect switch
        {
            "truncated" => Pinned(PinnedHeader, 6)[..^1],
            "overlap" => Pinned(PinnedHeader.Replace("[8,16]", "[0,8]", StringComparison.Ordinal), 6),
            "gap" => [.. Pinned(PinnedHeader, 6), 0, 0, 0, 0, 0, 0, 0, 0],
            "size" => Pinned(PinnedHeader.Replace("\"shape\":[2]", "\"shape\":[3]", StringComparison.Ordinal), 6),
            "dtype" => Pinned(PinnedHeader.Replace("F32", "Q32", StringComparison.Ordinal), 6),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };
        Assert.Throws<InvalidDataException>(() => Safetensors.Parse(bytes));
    }

    [Fact]
    public void LoadModule_StateOfAnotherModelOfTheSameConfiguration_GivesIdenticalOutputs()
    {
        random.manual_seed(1);
        using var source = new RankingModel(TrainingTestSupport.Micro);
        source.SetFeatureNormalization(Enumerable.Range(0, source.FeatureCount).Select(i => i * 0.5f).ToArray(), Enumerable.Repeat(2f, source.FeatureCount).ToArray());
        random.manual_seed(2);
        using var target = new RankingModel(TrainingTestSupport.Micro);
        source.eval();
        target.eval();
        using var scope = NewDisposeScope();
        using var batch = SyntheticBatch(source.FeatureCount);
        using var noGrad = no_grad();
        Assert.False(source.Forward(batch).allclose(target.Forward(batch)), "differently seeded models should differ before loading");

        var bytes = Safetensors.SerializeModule(source, new Dictionary<string, string> { ["configuration"] = "micro" });
        var metadata = Safetensors.LoadModule(target, bytes);

        Assert.Equal("micro", metadata["configuration"]);
        Assert.True(source.Forward(batch).allclose(target.Forward(batch), 0, 0), "outputs differ after loading the state");
        var names = Safetensors.Parse(bytes).Entries.Select(e => e.Name).ToList();
        Assert.Contains("bert.encoder.layer.0.attention.self.query.weight", names);
        Assert.Contains("head.hidden.weight", names);
        Assert.Contains("features.mean", names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void SaveModule_ThenLoadFromFile_RoundTripsAndLeavesNoTemporaryFiles()
    {
        using var directory = new ServerlessLineage.Testing.TempDirectory("safetensors-");
        random.manual_seed(5);
        using var source = new RankingModel(TrainingTestSupport.Micro);
        using var target = new RankingModel(TrainingTestSupport.Micro);
        var path = directory.Combine("nested", "model.safetensors");
        Safetensors.SaveModule(source, path);
        Safetensors.LoadModule(target, path);
        using var scope = NewDisposeScope();
        var sourceState = source.state_dict();
        Assert.All(target.state_dict(), p => Assert.True(p.Value.allclose(sourceState[p.Key], 0, 0), p.Key));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(directory.Combine("nested")).Select(Path.GetFileName));
    }

    [Fact]
    public void LoadModule_MissingUnexpectedAndMisshapenTensors_ThrowsNamingEachAndCopiesNothing()
    {
        using var model = new RankingModel(TrainingTestSupport.Micro);
        using var scope = NewDisposeScope();
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        state.Remove("head.output.bias");
        state["extra.weight"] = zeros(2);
        state["features.mean"] = zeros(model.FeatureCount + 1);
        state["head.hidden.weight"] = ones_like(state["head.hidden.weight"]);
        var bytes = Safetensors.Serialize(state);
        var before = model.HeadHidden.weight!.detach().clone();

        var error = Assert.Throws<InvalidDataException>(() => Safetensors.LoadModule(model, bytes));

        Assert.Contains("head.output.bias", error.Message, StringComparison.Ordinal);
        Assert.Contains("extra.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("features.mean", error.Message, StringComparison.Ordinal);
        Assert.True(model.HeadHidden.weight!.allclose(before, 0, 0), "a failed strict load must not copy any tensor");
    }

    [Fact]
    public void LoadModule_DtypeMismatch_Throws()
    {
        using var model = new RankingModel(TrainingTestSupport.Micro);
        using var scope = NewDisposeScope();
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Key == "features.std" ? p.Value.to_type(ScalarType.Float64) : p.Value);
        var error = Assert.Throws<InvalidDataException>(() => Safetensors.LoadModule(model, Safetensors.Serialize(state)));
        Assert.Contains("features.std", error.Message, StringComparison.Ordinal);
    }

    internal static RankingBatch SyntheticBatch(int featureCount, int batch = 4, int length = 12)
    {
        var generator = new Random(9);
        var ids = new long[batch * length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = i % length == 0 ? 101 : generator.Next(1000, 30000);
        }

        return new RankingBatch(
            tensor(ids, [batch, length]),
            ones(batch, length, dtype: ScalarType.Int64),
            zeros(batch, length, dtype: ScalarType.Int64),
            rand(batch, featureCount),
            tensor(Enumerable.Range(0, batch).Select(i => (float)(i % 2)).ToArray()),
            [.. Enumerable.Range(0, batch).Select(i => (long)i)]);
    }

    private static byte[] Pinned(string header, int padding)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header + new string(' ', padding));
        return [.. BitConverter.GetBytes((ulong)headerBytes.Length), .. headerBytes, .. PinnedData];
    }
}
