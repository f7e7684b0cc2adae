using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>
/// Replaces user ids with <c>HMAC-SHA256(secret, user_id)</c>, hex, truncated to 128 bits. Without the secret the mapping cannot
/// be recomputed or reversed; with it, a data-subject request can find a person's rows. Thread-safe: one instance serves the
/// parallel cleaning shards and concurrent requests of a host.
/// </summary>
public sealed class Pseudonymizer
{
    /// <summary>Hex characters of a subject (128 bits).</summary>
    public const int SubjectLength = 32;

    private const int MaxCachedUsers = 1 << 21;

    private readonly byte[] _secret;
    private readonly ConcurrentDictionary<string, string> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private int _cached;

    public Pseudonymizer(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < 16)
        {
            throw new ArgumentException("The pseudonymisation secret must be at least 16 bytes.", nameof(secret));
        }

        _secret = secret.ToArray();
        _lookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<byte> id = stackalloc byte[32];
        HMACSHA256.HashData(_secret, "serverlesslineage:key-id"u8, id);
        KeyId = Convert.ToHexStringLower(id[..4]);
    }

    /// <summary>A short, non-secret fingerprint of the secret, recorded with outputs so a key change is visible.</summary>
    public string KeyId { get; }

    /// <summary>The subject for a user id.</summary>
    public string Pseudonymize(ReadOnlySpan<char> userId)
    {
        if (_lookup.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(userId.Length);
        Span<byte> utf8 = maxBytes <= 1024 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(userId, utf8);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, utf8[..length], mac);
        var subject = Convert.ToHexStringLower(mac[..(SubjectLength / 2)]);
        // A bounded cache: cleared when full (the count is approximate under concurrency, which only moves the bound a little).
        if (Volatile.Read(ref _cached) >= MaxCachedUsers)
        {
            _cache.Clear();
            Volatile.Write(ref _cached, 0);
        }

        if (_lookup.TryAdd(userId, subject))
        {
            Interlocked.Increment(ref _cached);
        }

        return subject;
    }

    public string Pseudonymize(string userId) => Pseudonymize(userId.AsSpan());
}
