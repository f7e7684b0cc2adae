namespace ServerlessLineage.Storage;

/// <summary>
/// How to reach the storage account: a connection string (Azurite, shared key) or service URIs with
/// <c>DefaultAzureCredential</c> (managed identity in Azure). Exactly one of the connection string and the blob service URI; the
/// table service URI goes with the blob service URI where Table Storage is used.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section, e.g. <c>Storage__ConnectionString</c>.</summary>
    public const string SectionName = "Storage";

    /// <summary>A storage connection string, e.g. <c>UseDevelopmentStorage=true</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service endpoint, e.g. <c>https://account.blob.core.windows.net</c>; used with a token credential.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>The table service endpoint, e.g. <c>https://account.table.core.windows.net</c>; used with a token credential.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The queue service endpoint, e.g. <c>https://account.queue.core.windows.net</c>; used with a token credential.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Returns what is wrong with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (hasConnectionString == (BlobServiceUri is not null))
        {
            errors.Add($"Set exactly one of {SectionName}:{nameof(ConnectionString)} and {SectionName}:{nameof(BlobServiceUri)}.");
        }

        if (BlobServiceUri is { } uri && !IsHttpUri(uri))
        {
            errors.Add($"{SectionName}:{nameof(BlobServiceUri)} must be an absolute http(s) URI; got '{uri}'.");
        }

        if (hasConnectionString && TableServiceUri is not null)
        {
            errors.Add($"Set at most one of {SectionName}:{nameof(ConnectionString)} and {SectionName}:{nameof(TableServiceUri)}.");
        }

        if (TableServiceUri is { } tableUri && !IsHttpUri(tableUri))
        {
            errors.Add($"{SectionName}:{nameof(TableServiceUri)} must be an absolute http(s) URI; got '{tableUri}'.");
        }

        if (hasConnectionString && QueueServiceUri is not null)
        {
            errors.Add($"Set at most one of {SectionName}:{nameof(ConnectionString)} and {SectionName}:{nameof(QueueServiceUri)}.");
        }

        if (QueueServiceUri is { } queueUri && !IsHttpUri(queueUri))
        {
            errors.Add($"{SectionName}:{nameof(QueueServiceUri)} must be an absolute http(s) URI; got '{queueUri}'.");
        }

        if (hasConnectionString && !string.IsNullOrWhiteSpace(ManagedIdentityClientId))
        {
            errors.Add($"{SectionName}:{nameof(ManagedIdentityClientId)} applies only with {SectionName}:{nameof(BlobServiceUri)}.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid storage options: " + string.Join(" ", errors));
        }
    }

    private static bool IsHttpUri(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
