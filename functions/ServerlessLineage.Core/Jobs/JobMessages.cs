using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Jobs;

/// <summary>
/// Reads and writes the queue messages between the pipeline and the GPU worker: camelCase JSON, enums as names. Reading
/// validates, so a malformed or inconsistent message is a <see cref="JobMessageException"/> naming what is wrong, never a
/// half-understood job.
/// </summary>
public static class JobMessages
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public static string Serialize(TrainingJob job) => Serialize(job, job?.Validate());

    public static string Serialize(TrainingResult result) => Serialize(result, result?.Validate());

    public static TrainingJob ParseJob(string json) => Parse<TrainingJob>(json, j => j.Validate());

    public static TrainingResult ParseResult(string json) => Parse<TrainingResult>(json, r => r.Validate());

    private static string Serialize<T>(T message, IReadOnlyList<string>? errors)
    {
        ArgumentNullException.ThrowIfNull(message);
        return errors is { Count: > 0 }
            ? throw new JobMessageException($"The {typeof(T).Name} is not valid: {string.Join(" ", errors)}")
            : JsonSerializer.Serialize(message, JsonOptions);
    }

    private static T Parse<T>(string json, Func<T, IReadOnlyList<string>> validate)
        where T : class
    {
        T? message;
        try
        {
            message = JsonSerializer.Deserialize<T>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new JobMessageException($"The {typeof(T).Name} message is not valid JSON of that shape: {e.Message}", e);
        }

        if (message is null)
        {
            throw new JobMessageException($"The {typeof(T).Name} message is null.");
        }

        var errors = validate(message);
        return errors.Count > 0 ? throw new JobMessageException($"The {typeof(T).Name} message is not valid: {string.Join(" ", errors)}") : message;
    }
}

/// <summary>A queue message that cannot be read as a valid job or result.</summary>
public sealed class JobMessageException : Exception
{
    public JobMessageException(string message)
        : base(message)
    {
    }

    public JobMessageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
