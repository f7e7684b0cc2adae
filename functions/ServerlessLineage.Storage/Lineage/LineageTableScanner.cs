using System.Runtime.CompilerServices;
using System.Text;
using Azure.Data.Tables;
namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Reads every entity of every lineage table and yields every text it holds, for privacy scans ("no raw user id anywhere"): keys
/// as stored and unescaped, string properties, binary properties that decode as UTF-8, and values split over numbered properties
/// put back together (so text that straddles two parts is found too). Reads whole tables: for tests and audits, not requests.
/// </summary>
internal static class LineageTableScanner
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async IAsyncEnumerable<string> ScanAllStringsAsync(
        TableServiceClient service, LineageTableNames tables, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var table in tables.All)
        {
            await foreach (var entity in service.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                foreach (var text in Texts(entity))
                {
                    yield return text;
                }
            }
        }
    }

    private static IEnumerable<string> Texts(TableEntity entity)
    {
        foreach (var key in new[] { entity.PartitionKey, entity.RowKey })
        {
            yield return key;
            if (TableKeys.TryGetParts(key, out var parts))
            {
                foreach (var part in parts)
                {
                    yield return part;
                }
            }
        }

        foreach (var (name, value) in entity)
        {
            if (value is string text)
            {
                yield return text;
            }
            else if (TableValues.AsBytes(value) is { } bytes && TryDecode(bytes, out var decoded))
            {
                yield return decoded;
            }

            if (name.EndsWith(TableValues.PartsSuffix, StringComparison.Ordinal))
            {
                var baseName = name[..^TableValues.PartsSuffix.Length];
                var whole = TableValues.GetBytes(entity, baseName)!;
                if (entity.TryGetValue(baseName + TableValues.Utf16Suffix, out var utf16) && utf16 is true)
                {
                    yield return TableValues.FromCodeUnits(whole);
                }
                else if (TryDecode(whole, out var joined))
                {
                    yield return joined;
                }
            }
        }
    }

    private static bool TryDecode(byte[] bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
