namespace ServerlessLineage.Storage.OpenLineage;

/// <summary>
/// Where and how to forward OpenLineage events (e.g. to Marquez). Forwarding is disabled while <see cref="Endpoint"/> is unset;
/// events then stay in the outbox and can be replayed once an endpoint is configured.
/// </summary>
public sealed class OpenLineageOptions
{
    /// <summary>Configuration section, e.g. <c>OpenLineage__Endpoint</c>.</summary>
    public const string SectionName = "OpenLineage";

    /// <summary>Path of the OpenLineage HTTP API under <see cref="Endpoint"/>.</summary>
    public const string LineagePath = "api/v1/lineage";

    /// <summary>Base URL of the OpenLineage server, e.g. <c>http://localhost:5000</c>; events go to <c>&lt;base&gt;/api/v1/lineage</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer &lt;key&gt;</c> when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Limit of one HTTP attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per event, the first included.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry; it doubles with each further retry (with jitter), up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay between two attempts, also the most of a server's Retry-After that is honoured.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether events are forwarded at all.</summary>
    public bool IsEnabled => Endpoint is not null;

    /// <summary>The URL events are posted to, or null when disabled.</summary>
    public Uri? LineageUri => Endpoint is { } endpoint
        ? new Uri(new Uri(endpoint.AbsoluteUri.EndsWith('/') ? endpoint.AbsoluteUri : endpoint.AbsoluteUri + "/"), LineagePath)
        : null;

    /// <summary>Returns what is wrong with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"{SectionName}:{nameof(Endpoint)} must be an absolute http(s) URL; got '{endpoint}'.");
            }
            else if (!string.IsNullOrEmpty(ApiKey) && endpoint.Scheme != Uri.UriSchemeHttps && !endpoint.IsLoopback)
            {
                // A bearer key in clear text would be readable on the network.
                errors.Add($"{SectionName}:{nameof(ApiKey)} is only sent over https (or to a loopback address); {endpoint} is plain http.");
            }
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(Timeout)} must be positive; got {Timeout}.");
        }

        if (MaxAttempts < 1)
        {
            errors.Add($"{SectionName}:{nameof(MaxAttempts)} must be at least 1; got {MaxAttempts}.");
        }

        if (BaseBackoff < TimeSpan.Zero || MaxBackoff < BaseBackoff)
        {
            errors.Add($"{SectionName}: need 0 <= {nameof(BaseBackoff)} <= {nameof(MaxBackoff)}; got {BaseBackoff} and {MaxBackoff}.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid OpenLineage options: " + string.Join(" ", errors));
        }
    }
}
