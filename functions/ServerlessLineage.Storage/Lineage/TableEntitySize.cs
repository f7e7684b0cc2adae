using Azure.Data.Tables;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Conservative size estimates of one entity: <see cref="StorageBytes"/> by the service's documented formula (4 bytes, the keys
/// as UTF-16, and per property 8 bytes, its name as UTF-16 and its value: strings as UTF-16 plus 4, binaries plus 4), counting
/// the Timestamp system property too; <see cref="RequestBytes"/> as an upper bound of the entity's share of a transaction request
/// (JSON where every character outside plain ASCII may be written as a six-byte <c>\uXXXX</c> escape, binaries as base64, type
/// annotations, and a fixed allowance for the multipart headers).
/// </summary>
public readonly record struct TableEntitySize(long StorageBytes, long RequestBytes, int CustomProperties, string? LargestProperty, long LargestPropertyBytes)
{
    /// <summary>Allowance per entity for its part of a multipart transaction: boundary, part headers and request line.</summary>
    public const long PerEntityRequestOverhead = 1024;

    /// <summary>Allowance per transaction for the batch and change-set envelopes.</summary>
    public const long PerTransactionRequestOverhead = 1024;

    private const string PartitionKeyName = "PartitionKey";
    private const string RowKeyName = "RowKey";
    private const string TimestampName = "Timestamp";

    // A type annotation ("<name>@odata.type":"Edm.Binary",) costs the name plus at most this much.
    private const long AnnotationBytes = 40;

    /// <summary>Estimates the sizes of <paramref name="entity"/>; unsupported property types are an <see cref="ArgumentException"/>.</summary>
    public static TableEntitySize Of(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var partitionKey = entity.PartitionKey ?? string.Empty;
        var rowKey = entity.RowKey ?? string.Empty;
        long storage = 4 + (2L * (partitionKey.Length + rowKey.Length)) + PropertyOverhead(TimestampName) + 8;
        long request = PerEntityRequestOverhead + JsonBytes(PartitionKeyName) + JsonBytes(partitionKey) + JsonBytes(RowKeyName) + JsonBytes(rowKey) + 4;
        var properties = 0;
        string? largest = null;
        long largestBytes = -1;
        foreach (var (name, value) in entity)
        {
            if (IsSystemProperty(name) || value is null)
            {
                continue;
            }

            properties++;
            var (valueStorage, valueRequest, propertyBytes) = ValueSize(name, value);
            storage += PropertyOverhead(name) + valueStorage;
            request += JsonBytes(name) + 2 + valueRequest;
            if (propertyBytes > largestBytes)
            {
                largest = name;
                largestBytes = propertyBytes;
            }
        }

        return new TableEntitySize(storage, request, properties, largest, Math.Max(largestBytes, 0));
    }

    /// <summary>Whether <paramref name="name"/> is a key, the timestamp or OData metadata rather than a stored custom property.</summary>
    public static bool IsSystemProperty(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name is PartitionKeyName or RowKeyName or TimestampName || name.StartsWith("odata.", StringComparison.Ordinal)
            || name.Contains("@odata.", StringComparison.Ordinal);
    }

    /// <summary>Bytes of <paramref name="text"/> as a JSON string at most: quotes, one byte per plain ASCII character, six per other.</summary>
    public static long JsonBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long bytes = 2;
        foreach (var c in text)
        {
            bytes += IsPlainJsonAscii(c) ? 1 : 6;
        }

        return bytes;
    }

    private static long PropertyOverhead(string name) => 8 + (2L * name.Length);

    // Characters every JSON writer copies unchanged (no quote, backslash, control or HTML-sensitive characters).
    private static bool IsPlainJsonAscii(char c) => c is >= ' ' and <= '~' and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`');

    // (storage bytes, request bytes, bytes counted against the 64 KiB property limit)
    private static (long Storage, long Request, long Property) ValueSize(string name, object value) => value switch
    {
        string s => (4 + (2L * s.Length), JsonBytes(s), 2L * s.Length),
        byte[] b => (4 + b.LongLength, Base64(b.LongLength) + Annotation(name), b.LongLength),
        BinaryData d => (4 + d.ToMemory().Length, Base64(d.ToMemory().Length) + Annotation(name), d.ToMemory().Length),
        int => (4, 11, 4),
        long => (8, 22 + Annotation(name), 8),
        double => (8, 26 + Annotation(name), 8),
        bool => (1, 5, 1),
        DateTimeOffset or DateTime => (8, 32 + Annotation(name), 8),
        Guid => (16, 38 + Annotation(name), 16),
        _ => throw new ArgumentException($"Property '{name}' has a type Table Storage does not store: {value.GetType().Name}.", nameof(value)),
    };

    private static long Base64(long bytes) => 2 + (4 * ((bytes + 2) / 3));

    private static long Annotation(string name) => JsonBytes(name) + AnnotationBytes;
}
