using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// The binary file of a <see cref="TracInCache"/>, little-endian throughout:
/// <code>
/// magic      8 bytes  "SLTRACIN"
/// version    uint32   2 (1: dense Gaussian projections, no longer read)
/// layers     int32 count, then per layer: name (7-bit-length-prefixed UTF-8), int32 input size (without bias), int32 output size
/// rows       int64 N
/// checkpoints int32 C, then C x float64 learning rate
/// projection int32 k (0 = none), int64 seed, then if k > 0 per layer: int32 kx, int32 kg (the Kronecker split, see
///            <see cref="GradientProjector"/>; readers reject a split that differs from this build's rule)
/// ids        N x int64 example id
/// data       per checkpoint: N x D float32 factor rows (row-major; D = Σ (in + 1 + out)), then N x k float32 projections if k > 0
/// sha256     32 bytes over every preceding byte
/// </code>
/// Readers verify the magic, the version and the digest (a truncated or altered file is rejected as <see cref="InvalidDataException"/>).
/// </summary>
public static class TracInCacheFile
{
    public const uint Version = 2;
    private const int ChunkRows = 4096;
    private static readonly byte[] Magic = "SLTRACIN"u8.ToArray();

    public static void Write(TracInCache cache, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(stream);
        RequireLittleEndian();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var writer = new BinaryWriter(new HashingStream(stream, hash), Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(cache.Layers.Count);
            foreach (var layer in cache.Layers)
            {
                writer.Write(layer.Name);
                writer.Write(layer.InputSize);
                writer.Write(layer.OutputSize);
            }

            writer.Write((long)cache.Count);
            writer.Write(cache.Checkpoints.Count);
            foreach (var checkpoint in cache.Checkpoints)
            {
                writer.Write(checkpoint.LearningRate);
            }

            writer.Write(cache.ProjectionDimension);
            writer.Write(cache.ProjectionSeed);
            if (cache.ProjectionDimension > 0)
            {
                foreach (var layer in cache.Layers)
                {
                    var split = GradientProjector.Split(layer, cache.ProjectionDimension);
                    writer.Write(split.InputDimension);
                    writer.Write(split.GradientDimension);
                }
            }

            foreach (var id in cache.ExampleIds)
            {
                writer.Write(id);
            }

            writer.Flush();
            foreach (var checkpoint in cache.Checkpoints)
            {
                WriteMatrix(writer.BaseStream, checkpoint.Rows);
                if (checkpoint.Projections is not null)
                {
                    WriteMatrix(writer.BaseStream, checkpoint.Projections);
                }
            }
        }

        stream.Write(hash.GetHashAndReset());
    }

    public static TracInCache Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        RequireLittleEndian();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var factors = new List<TracInCheckpointFactors>();
        try
        {
            using var reader = new BinaryReader(new HashingStream(stream, hash), Encoding.UTF8, leaveOpen: true);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException("Not a TracIn cache file (bad magic).");
            }

            var version = reader.ReadUInt32();
            if (version != Version)
            {
                throw new InvalidDataException(version == 1
                    ? "TracIn cache version 1 stores dense Gaussian projections, which this build no longer computes: rebuild the cache."
                    : $"Unsupported TracIn cache version {version} (this build reads {Version}).");
            }

            var layerCount = Checked(reader.ReadInt32(), 1, 64, "layer count");
            var layers = new TracInLayer[layerCount];
            for (var l = 0; l < layerCount; l++)
            {
                layers[l] = new TracInLayer(reader.ReadString(), Checked(reader.ReadInt32(), 1, 1 << 20, "input size"), Checked(reader.ReadInt32(), 1, 1 << 20, "output size"));
            }

            var rows = reader.ReadInt64();
            if (rows is < 0 or > int.MaxValue)
            {
                throw new InvalidDataException($"Bad row count {rows}.");
            }

            var checkpointCount = Checked(reader.ReadInt32(), 1, 10_000, "checkpoint count");
            var rates = new double[checkpointCount];
            for (var c = 0; c < checkpointCount; c++)
            {
                rates[c] = reader.ReadDouble();
            }

            var projection = Checked(reader.ReadInt32(), 0, 1 << 20, "projection dimension");
            var seed = reader.ReadInt64();
            if (projection > 0)
            {
                foreach (var layer in layers)
                {
                    var storedSplit = new ProjectionSplit(reader.ReadInt32(), reader.ReadInt32());
                    var ruleSplit = GradientProjector.Split(layer, projection);
                    if (storedSplit != ruleSplit)
                    {
                        throw new InvalidDataException(
                            $"The cache's projection of layer {layer.Name} is split {storedSplit.InputDimension} x {storedSplit.GradientDimension}; this build splits k = {projection} as {ruleSplit.InputDimension} x {ruleSplit.GradientDimension}: rebuild the cache.");
                    }
                }
            }

            var ids = new long[rows];
            for (var i = 0; i < rows; i++)
            {
                ids[i] = reader.ReadInt64();
            }

            var width = layers.Sum(l => l.FactorWidth);
            for (var c = 0; c < checkpointCount; c++)
            {
                var matrix = ReadMatrix(reader.BaseStream, rows, width);
                var projections = projection > 0 ? ReadMatrix(reader.BaseStream, rows, projection) : null;
                factors.Add(new TracInCheckpointFactors(layers, rates[c], matrix, projections));
            }

            var expected = hash.GetHashAndReset();
            var stored = new byte[expected.Length];
            stream.ReadExactly(stored);
            if (!CryptographicOperations.FixedTimeEquals(expected, stored))
            {
                throw new InvalidDataException("TracIn cache digest mismatch: the file is corrupt or was altered.");
            }

            return new TracInCache(layers, ids, factors, projection, seed);
        }
        catch (EndOfStreamException e)
        {
            factors.ForEach(f => f.Dispose());
            throw new InvalidDataException("The TracIn cache file is truncated.", e);
        }
        catch
        {
            factors.ForEach(f => f.Dispose());
            throw;
        }
    }

    private static void WriteMatrix(Stream stream, Tensor matrix)
    {
        var rows = matrix.shape[0];
        for (long start = 0; start < rows; start += ChunkRows)
        {
            using var chunk = matrix.narrow(0, start, Math.Min(ChunkRows, rows - start)).contiguous().cpu();
            stream.Write(chunk.bytes);
        }
    }

    private static Tensor ReadMatrix(Stream stream, long rows, int width)
    {
        var matrix = empty([rows, width], ScalarType.Float32);
        try
        {
            for (long start = 0; start < rows; start += ChunkRows)
            {
                using var chunk = matrix.narrow(0, start, Math.Min(ChunkRows, rows - start));
                // Row chunks of a contiguous matrix are contiguous, so their bytes are the matrix's own memory.
                stream.ReadExactly(chunk.bytes);
            }

            return matrix;
        }
        catch
        {
            matrix.Dispose();
            throw;
        }
    }

    private static int Checked(int value, int min, int max, string what) =>
        value >= min && value <= max ? value : throw new InvalidDataException($"Bad {what} {value} (expected {min}..{max}).");

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The TracIn cache format is little-endian and this platform is not.");
        }
    }

    /// <summary>Passes reads and writes through to the inner stream and feeds every byte to a hash.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            hash.AppendData(buffer[..read]);
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
