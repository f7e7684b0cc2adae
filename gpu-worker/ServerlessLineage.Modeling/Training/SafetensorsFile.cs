using System.Globalization;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Training;

/// <summary>A parsed safetensors file: its tensors (ordinal name order) and metadata.</summary>
public sealed record SafetensorsFile(IReadOnlyList<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata);

/// <summary>One tensor of a safetensors file: name, dtype, shape, offset in the data section and its raw bytes.</summary>
public sealed record SafetensorsEntry(string Name, string DType, ScalarType Type, long[] Shape, long Offset, ReadOnlyMemory<byte> Data)
{
    /// <summary>A new CPU tensor with this entry's data (the caller disposes it).</summary>
    public Tensor ToTensor()
    {
        var result = empty(Shape, Type);
        if (Data.Length > 0)
        {
            Data.Span.CopyTo(result.bytes);
        }

        return result;
    }

    /// <summary>A short description for error messages.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} {DType} [{string.Join(",", Shape)}]");
}
