using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// Reader and writer of the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}}</c>, padded with spaces to an
/// 8-byte boundary), then the tensors' raw little-endian bytes, offsets relative to the end of the header. The header lists tensors
/// in ordinal name order and the data is laid out by decreasing element size, then name; the reader accepts any order but
/// requires the data to be covered exactly, without gaps or overlaps.
/// </summary>
public static class Safetensors
{
    /// <summary>The header key that holds the free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    // The reference implementation refuses headers over 100 MB; so does this reader.
    private const long MaxHeaderLength = 100_000_000;
    private const int HeaderAlignment = 8;

    private static readonly (string Name, ScalarType Type, int Size)[] DTypes =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>The safetensors dtype name of a libtorch element type (F32, I64, ...).</summary>
    public static string DTypeName(ScalarType type) =>
        DTypes.FirstOrDefault(d => d.Type == type).Name ?? throw new NotSupportedException($"safetensors has no dtype for {type}.");

    /// <summary>Serialises named tensors (any device, any layout) with optional string metadata.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>Writes named tensors (any device, any layout) with optional string metadata to <paramref name="destination"/>.</summary>
    public static void Write(Stream destination, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tensors);
        RequireLittleEndian();
        if (tensors.ContainsKey(MetadataKey))
        {
            throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
        }

        using var scope = NewDisposeScope();
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var cpu = names.Select(n => tensors[n].detach().cpu().contiguous()).ToList();
        // Data goes in order of decreasing element size (then name), as the reference writer does, so every tensor starts at
        // a multiple of its element size; the header lists the tensors in name order.
        var dataOrder = Enumerable.Range(0, names.Count)
            .OrderByDescending(i => cpu[i].ElementSize)
            .ThenBy(i => names[i], StringComparer.Ordinal)
            .ToList();
        var offsets = new long[names.Count];
        long total = 0;
        foreach (var i in dataOrder)
        {
            offsets[i] = total;
            total += cpu[i].NumberOfElements * cpu[i].ElementSize;
        }

        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            for (var i = 0; i < names.Count; i++)
            {
                var length = cpu[i].NumberOfElements * cpu[i].ElementSize;
                json.WriteStartObject(names[i]);
                json.WriteString("dtype", DTypeName(cpu[i].dtype));
                json.WriteStartArray("shape");
                foreach (var dimension in cpu[i].shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offsets[i]);
                json.WriteNumberValue(offsets[i] + length);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        var padding = (int)((HeaderAlignment - (header.Length % HeaderAlignment)) % HeaderAlignment);
        for (var i = 0; i < padding; i++)
        {
            header.WriteByte((byte)' ');
        }

        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        destination.Write(prefix);
        header.Position = 0;
        header.CopyTo(destination);
        foreach (var i in dataOrder)
        {
            if (cpu[i].NumberOfElements > 0)
            {
                destination.Write(cpu[i].bytes);
            }
        }
    }

    /// <summary>Parses a safetensors file held in memory (header checked; tensor data not copied).</summary>
    public static SafetensorsFile Parse(ReadOnlyMemory<byte> data)
    {
        RequireLittleEndian();
        var span = data.Span;
        if (span.Length < 8)
        {
            throw new InvalidDataException($"A safetensors file is at least 8 bytes; got {span.Length}.");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (headerLength > MaxHeaderLength || headerLength > (ulong)(span.Length - 8))
        {
            throw new InvalidDataException($"The safetensors header length {headerLength} does not fit the {span.Length}-byte file.");
        }

        var body = data[(8 + (int)headerLength)..];
        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data.Slice(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The safetensors header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("The safetensors header is not a JSON object.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata);
                }
                else
                {
                    entries.Add(ReadEntry(property.Name, property.Value, body));
                }
            }
        }

        RequireExactCoverage(entries, body.Length);
        return new SafetensorsFile(entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList(), metadata);
    }

    /// <summary>Reads every tensor of a file into new CPU tensors (the caller disposes them).</summary>
    public static Dictionary<string, Tensor> ReadTensors(ReadOnlyMemory<byte> data) =>
        Parse(data).Entries.ToDictionary(e => e.Name, e => e.ToTensor(), StringComparer.Ordinal);

    /// <summary>The module's state dict (parameters and buffers) as safetensors bytes.</summary>
    public static byte[] SerializeModule(nn.Module module, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        // The state dict's tensors are the module's own parameters and buffers: they are read, never disposed here.
        return Serialize(module.state_dict(), metadata);
    }

    /// <summary>Writes the module's state dict to <paramref name="path"/> through a temporary file and an atomic rename.</summary>
    public static void SaveModule(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        AtomicFile.Write(path, stream => Write(stream, module.state_dict(), metadata));
    }

    /// <summary>
    /// Copies a safetensors file's tensors into the module's parameters and buffers. Strict: a tensor the module lacks, a module
    /// tensor the file lacks, or a shape or dtype mismatch is an error naming every offending tensor, and nothing is copied.
    /// Returns the file's metadata.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LoadModule(nn.Module module, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = Parse(data);
        var state = module.state_dict();
        var byName = file.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var missing = state.Keys.Where(k => !byName.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = byName.Keys.Where(k => !state.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var mismatched = state
            .Where(p => byName.TryGetValue(p.Key, out var e) && (!e.Shape.SequenceEqual(p.Value.shape) || e.Type != p.Value.dtype))
            .Select(p => $"{p.Key} (module {p.Value.dtype} [{string.Join(",", p.Value.shape)}], file {byName[p.Key].DType} [{string.Join(",", byName[p.Key].Shape)}])")
            .Order(StringComparer.Ordinal)
            .ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0)
            {
                problems.Add($"missing from the file: {string.Join(", ", missing)}");
            }

            if (unexpected.Count > 0)
            {
                problems.Add($"not in the module: {string.Join(", ", unexpected)}");
            }

            if (mismatched.Count > 0)
            {
                problems.Add($"shape or dtype mismatch: {string.Join(", ", mismatched)}");
            }

            throw new InvalidDataException($"The safetensors state does not match the module; {string.Join("; ", problems)}.");
        }

        using (no_grad())
        {
            foreach (var (name, target) in state)
            {
                using var source = byName[name].ToTensor();
                target.copy_(source);
            }
        }

        return file.Metadata;
    }

    /// <summary>Loads a safetensors file from disk into the module (see <see cref="LoadModule(nn.Module, ReadOnlyMemory{byte})"/>).</summary>
    public static IReadOnlyDictionary<string, string> LoadModule(nn.Module module, string path) => LoadModule(module, File.ReadAllBytes(path));

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{MetadataKey}' must be an object of strings.");
        }

        foreach (var item in element.EnumerateObject())
        {
            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String
                ? item.Value.GetString()!
                : throw new InvalidDataException($"'{MetadataKey}.{item.Name}' must be a string.");
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement element, ReadOnlyMemory<byte> body)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !element.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"Tensor '{name}' needs dtype, shape and two data_offsets.");
        }

        var dtypeName = dtype.GetString()!;
        var (_, type, size) = DTypes.FirstOrDefault(d => d.Name == dtypeName);
        if (size == 0)
        {
            throw new InvalidDataException($"Tensor '{name}' has unsupported dtype '{dtypeName}'.");
        }

        var dimensions = shape.EnumerateArray().Select(d => d.TryGetInt64(out var v) && v >= 0 ? v : throw new InvalidDataException($"Tensor '{name}' has an invalid shape.")).ToArray();
        var begin = offsets[0].TryGetInt64(out var b) ? b : -1;
        var end = offsets[1].TryGetInt64(out var e) ? e : -1;
        var elements = dimensions.Aggregate(1L, (a, d) => checked(a * d));
        if (begin < 0 || end < begin || end > body.Length || end - begin != elements * size)
        {
            throw new InvalidDataException(
                $"Tensor '{name}' ({dtypeName} [{string.Join(",", dimensions)}]) has data offsets [{begin}, {end}] that do not fit its size or the {body.Length}-byte data section.");
        }

        return new SafetensorsEntry(name, dtypeName, type, dimensions, begin, body.Slice((int)begin, (int)(end - begin)));
    }

    private static void RequireExactCoverage(List<SafetensorsEntry> entries, int bodyLength)
    {
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Offset).ThenBy(e => e.Data.Length))
        {
            if (entry.Offset != expected)
            {
                throw new InvalidDataException($"Tensor '{entry.Name}' starts at {entry.Offset}; expected {expected} (data must be contiguous, without overlaps).");
            }

            expected += entry.Data.Length;
        }

        if (expected != bodyLength)
        {
            throw new InvalidDataException($"The tensors cover {expected} of the {bodyLength} data bytes.");
        }
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; this reader and writer need a little-endian machine.");
        }
    }
}
