using System.Text;
using System.Text.Json;

namespace ServerlessLineage.Core.Jobs;

/// <summary>
/// JSON-lines artifacts of lineage records (recommendations, attributions, findings): one compact JSON object per line, UTF-8,
/// '\n'-terminated, in the job messages' JSON conventions. Reading names the line of a record that does not parse.
/// </summary>
public static class ModelArtifactRecords
{
    public static async Task WriteAsync<T>(Stream destination, IEnumerable<T> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(records);
        var newline = "\n"u8.ToArray();
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await JsonSerializer.SerializeAsync(destination, record, JobMessages.JsonOptions, cancellationToken);
            await destination.WriteAsync(newline, cancellationToken);
        }
    }

    public static byte[] ToBytes<T>(IEnumerable<T> records)
    {
        using var buffer = new MemoryStream();
        WriteAsync(buffer, records).GetAwaiter().GetResult();
        return buffer.ToArray();
    }

    public static async Task<IReadOnlyList<T>> ReadAsync<T>(Stream source, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(source);
        using var reader = new StreamReader(source, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var records = new List<T>();
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            T? record;
            try
            {
                record = JsonSerializer.Deserialize<T>(line, JobMessages.JsonOptions);
            }
            catch (JsonException e)
            {
                throw new JobMessageException($"Line {lineNumber} is not a valid {typeof(T).Name}: {e.Message}", e);
            }

            records.Add(record ?? throw new JobMessageException($"Line {lineNumber} is null, not a {typeof(T).Name}."));
        }

        return records;
    }
}
