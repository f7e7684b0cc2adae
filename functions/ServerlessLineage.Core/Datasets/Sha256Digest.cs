using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Datasets;

/// <summary>A SHA-256 content hash as 64 lowercase hex characters; validated on construction.</summary>
[JsonConverter(typeof(Sha256DigestJsonConverter))]
public readonly record struct Sha256Digest
{
    /// <summary>Number of hex characters in a digest.</summary>
    public const int HexLength = 64;

    private const int BufferSize = 81_920;

    /// <summary>Creates a digest from hex (either case; stored lowercase).</summary>
    public Sha256Digest(string hex)
    {
        if (!IsValidHex(hex))
        {
            throw new ArgumentException($"A SHA-256 digest is {HexLength} hex characters; got '{hex}'.", nameof(hex));
        }

        Hex = hex.ToLowerInvariant();
    }

    /// <summary>The digest as 64 lowercase hex characters.</summary>
    public string Hex { get; }

    /// <summary>Whether <paramref name="hex"/> is 64 hex characters.</summary>
    public static bool IsValidHex(string? hex) => hex is { Length: HexLength } && hex.All(char.IsAsciiHexDigit);

    /// <summary>Parses hex without throwing.</summary>
    public static bool TryParse(string? hex, out Sha256Digest digest)
    {
        digest = IsValidHex(hex) ? new Sha256Digest(hex!) : default;
        return digest.Hex is not null;
    }

    /// <summary>Wraps a raw 32-byte hash.</summary>
    public static Sha256Digest FromHash(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A SHA-256 hash is {SHA256.HashSizeInBytes} bytes; got {hash.Length}.", nameof(hash));
        }

        return new Sha256Digest(Convert.ToHexStringLower(hash));
    }

    /// <summary>Hashes bytes in memory.</summary>
    public static Sha256Digest Compute(ReadOnlySpan<byte> data) => FromHash(SHA256.HashData(data));

    /// <summary>Hashes a stream from its current position to its end and counts the bytes read.</summary>
    public static async Task<(Sha256Digest Digest, long Length)> ComputeAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }

            return (FromHash(hash.GetHashAndReset()), length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The lowercase hex form.</summary>
    public override string ToString() => Hex ?? string.Empty;
}

/// <summary>Writes a <see cref="Sha256Digest"/> as its hex string.</summary>
public sealed class Sha256DigestJsonConverter : JsonConverter<Sha256Digest>
{
    public override Sha256Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var hex = reader.GetString();
        return Sha256Digest.TryParse(hex, out var digest)
            ? digest
            : throw new JsonException($"'{hex}' is not a SHA-256 digest ({Sha256Digest.HexLength} hex characters).");
    }

    public override void Write(Utf8JsonWriter writer, Sha256Digest value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Hex);
    }
}
