using System.Globalization;
using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Pipeline.Http;

/// <summary>Reads and validates request parameters; a bad value raises an <see cref="ApiProblemException"/> (400) naming it.</summary>
internal static class ApiParameters
{
    public static string Required(ApiRequest request, string name)
    {
        var value = Optional(request, name);
        return string.IsNullOrWhiteSpace(value)
            ? throw Invalid(name, $"The query parameter '{name}' is required.")
            : value;
    }

    public static string? Optional(ApiRequest request, string name) =>
        request.Query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    public static NodeId NodeId(string name, string value) =>
        Core.Lineage.Graph.NodeId.TryParse(value, out var id, out var error)
            ? id
            : throw Invalid(name, $"'{value}' is not a node id: {error}");

    public static Guid RunId(string name, string value) =>
        Guid.TryParse(value, out var id) && id != Guid.Empty
            ? id
            : throw Invalid(name, $"'{value}' is not a run id; a run id is a UUID such as 0b6f3c3e-5d7a-4e59-9a39-3f1c2f7e8a10.");

    public static int Int(ApiRequest request, string name, int defaultValue, int min, int max)
    {
        var text = Optional(request, name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid(name, $"'{name}' must be a whole number from {min} to {max}; got '{text}'.");
        }

        return value < min || value > max ? throw Invalid(name, $"'{name}' must be from {min} to {max}; got {value}.") : value;
    }

    public static long Long(string name, string text, long min)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw Invalid(name, $"'{name}' must be a whole number of at least {min}; got '{text}'.");
        }

        return value;
    }

    public static TraversalDirection Direction(ApiRequest request, string name)
    {
        var text = Optional(request, name);
        return text?.ToUpperInvariant() switch
        {
            null or "BOTH" => TraversalDirection.Both,
            "UPSTREAM" => TraversalDirection.Upstream,
            "DOWNSTREAM" => TraversalDirection.Downstream,
            _ => throw Invalid(name, $"'{name}' is upstream, downstream or both; got '{text}'."),
        };
    }

    public static ApiProblemException Invalid(string name, string detail) => new(ApiProblem.InvalidParameter(name, detail));
}
