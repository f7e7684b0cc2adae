namespace ServerlessLineage.Pipeline.Http;

/// <summary>
/// An HTTP request as the API handlers see it, whichever host received it: method, path (e.g. <c>/api/runs/…</c>), query
/// parameters and, for uploads, the body and its content type. Hosts build one in a line from their own request type.
/// </summary>
public sealed record ApiRequest
{
    public ApiRequest(string method, string path, IEnumerable<KeyValuePair<string, string?>>? query = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(path);
        Method = method.ToUpperInvariant();
        Path = path;
        var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in query ?? [])
        {
            // The first value wins, as in most frameworks' single-value accessors.
            parameters.TryAdd(name, value);
        }

        Query = parameters;
    }

    public string Method { get; }

    /// <summary>The URL path; <see cref="LineageApi.HandleAsync"/> percent-decodes route values segment by segment.</summary>
    public string Path { get; }

    /// <summary>Query parameters by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, string?> Query { get; }

    /// <summary>The request body (e.g. an uploaded events file for <c>POST /api/runs</c>); empty for GET requests.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The body's media type as the client sent it (<c>Content-Type</c>), or null when it sent none.</summary>
    public string? ContentType { get; init; }

    /// <summary>A GET request for <paramref name="pathAndQuery"/> such as <c>/api/lineage?nodeId=…&amp;depth=5</c>.</summary>
    public static ApiRequest Get(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        var question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return new ApiRequest("GET", pathAndQuery);
        }

        return new ApiRequest("GET", pathAndQuery[..question], ParseQuery(pathAndQuery[(question + 1)..]));
    }

    /// <summary>Parses <c>a=1&amp;b=x%20y</c> (no leading '?'); '+' is a space as in HTML forms.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ParseQuery(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            yield return new KeyValuePair<string, string?>(name, value);
        }
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
