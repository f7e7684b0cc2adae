using Onnx;
using ServerlessLineage.Modeling.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Pretrained;

/// <summary>
/// Imports BERT weights from an ONNX graph exported from a Hugging Face `BertModel` (e.g. all-MiniLM-L6-v2). Named
/// initializers (embeddings, biases, layer norms, pooler) map by name. The exporter stores each Linear weight transposed, as
/// the right operand of a `MatMul` under a numeric name; its owner is found through the graph: the `Add` that consumes the
/// MatMul's output adds the named bias `X.bias`, so the weight is `X.weight`. Every parameter of the module must be covered and
/// every float initializer must be used; anything else throws, listing the names.
/// </summary>
public static class OnnxBertImporter
{
    /// <summary>What an import mapped, for the training manifest and for tests.</summary>
    public sealed record ImportReport(int ParametersLoaded, int ShapeConstantsIgnored, IReadOnlyList<string> Names);

    /// <summary>Reads the initializers of <paramref name="onnxModel"/> into a name -> tensor map in BertModel naming.</summary>
    public static Dictionary<string, Tensor> ReadStateDict(byte[] onnxModel, out int shapeConstants)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        var model = ModelProto.Parser.ParseFrom(onnxModel);
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var unexplained = new List<string>();
        shapeConstants = 0;
        foreach (var (name, tensor) in initializers)
        {
            if (tensor.DataType == (int)TensorProto.Types.DataType.Int64)
            {
                if (name == "embeddings.position_ids")
                {
                    CheckPositionIds(tensor);
                }
                else if (tensor.Dims.Aggregate(1L, (a, b) => a * b) > 1)
                {
                    unexplained.Add($"{name} (int64 [{string.Join(",", tensor.Dims)}])");
                }

                // Scalars used as shapes and indices by Reshape/Gather/Unsqueeze; the position ids are recomputed by the module.
                shapeConstants++;
                continue;
            }

            if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            {
                unexplained.Add($"{name} (data type {tensor.DataType})");
                continue;
            }

            if (name.Contains('.', StringComparison.Ordinal))
            {
                state[name] = ToTensor(tensor, transpose: false);
                continue;
            }

            var owner = LinearOwner(name, consumers, initializers);
            if (owner is null)
            {
                unexplained.Add($"{name} (float [{string.Join(",", tensor.Dims)}], not the weight of a MatMul followed by a named bias)");
                continue;
            }

            if (!state.TryAdd(owner + ".weight", ToTensor(tensor, transpose: true)))
            {
                unexplained.Add($"{name} (a second weight for {owner})");
            }
        }

        if (unexplained.Count > 0)
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }

            throw new InvalidDataException("Unexpected ONNX initializers: " + string.Join("; ", unexplained));
        }

        return state;
    }

    /// <summary>Loads the graph's weights into <paramref name="bert"/>; throws on any missing, unexpected or mis-shaped tensor.</summary>
    public static ImportReport Load(BertModel bert, byte[] onnxModel)
    {
        ArgumentNullException.ThrowIfNull(bert);
        var state = ReadStateDict(onnxModel, out var shapeConstants);
        try
        {
            var parameters = bert.state_dict();
            var missing = parameters.Keys.Where(k => !state.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
            var unexpected = state.Keys.Where(k => !parameters.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
            var misShaped = parameters
                .Where(p => state.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
                .Select(p => $"{p.Key}: model [{string.Join(",", p.Value.shape)}], ONNX [{string.Join(",", state[p.Key].shape)}]")
                .ToList();
            if (missing.Count > 0 || unexpected.Count > 0 || misShaped.Count > 0)
            {
                throw new InvalidDataException(
                    $"The ONNX weights do not match the model (config {bert.Config}). Missing: [{string.Join(", ", missing)}]. Unexpected: [{string.Join(", ", unexpected)}]. Shape mismatches: [{string.Join("; ", misShaped)}].");
            }

            using (no_grad())
            {
                foreach (var (name, target) in parameters)
                {
                    target.copy_(state[name]);
                }
            }

            return new ImportReport(parameters.Count, shapeConstants, [.. parameters.Keys]);
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    private static string? LinearOwner(string weightName, Dictionary<string, List<NodeProto>> consumers, Dictionary<string, TensorProto> initializers)
    {
        if (!consumers.TryGetValue(weightName, out var users) || users.Count != 1)
        {
            return null;
        }

        var matMul = users[0];
        if (matMul.OpType != "MatMul" || matMul.Input.Count != 2 || matMul.Input[1] != weightName || matMul.Output.Count != 1)
        {
            return null;
        }

        if (!consumers.TryGetValue(matMul.Output[0], out var next) || next.Count != 1 || next[0].OpType != "Add")
        {
            return null;
        }

        var bias = next[0].Input.FirstOrDefault(i => i != matMul.Output[0]);
        return bias is not null && bias.EndsWith(".bias", StringComparison.Ordinal) && initializers.ContainsKey(bias)
            ? bias[..^".bias".Length]
            : null;
    }

    private static Tensor ToTensor(TensorProto proto, bool transpose)
    {
        var shape = proto.Dims.ToArray();
        float[] values;
        if (proto.RawData.Length > 0)
        {
            values = new float[proto.RawData.Length / sizeof(float)];
            proto.RawData.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            values = [.. proto.FloatData];
        }

        if (values.Length != shape.Aggregate(1L, (a, b) => a * b))
        {
            throw new InvalidDataException($"ONNX initializer {proto.Name} holds {values.Length} values for shape [{string.Join(",", shape)}].");
        }

        var tensor = torch.tensor(values, shape);
        if (!transpose)
        {
            return tensor;
        }

        using (tensor)
        {
            return tensor.t().contiguous();
        }
    }

    private static void CheckPositionIds(TensorProto tensor)
    {
        var count = tensor.RawData.Length / sizeof(long);
        var ids = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.RawData.Span);
        for (var i = 0; i < count; i++)
        {
            if (ids[i] != i)
            {
                throw new InvalidDataException($"embeddings.position_ids[{i}] is {ids[i]}; only the standard 0..n-1 positions are supported.");
            }
        }
    }
}
