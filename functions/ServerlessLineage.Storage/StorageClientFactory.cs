using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace ServerlessLineage.Storage;

/// <summary>Creates Azure Storage clients from <see cref="StorageOptions"/>; create them once and share them.</summary>
public static class StorageClientFactory
{
    /// <summary>
    /// A blob service client over the connection string, or over the service URI with <paramref name="credential"/>
    /// (default: <c>DefaultAzureCredential</c>, honouring <see cref="StorageOptions.ManagedIdentityClientId"/>).
    /// </summary>
    public static BlobServiceClient CreateBlobServiceClient(StorageOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new BlobServiceClient(options.ConnectionString);
        }

        return new BlobServiceClient(options.BlobServiceUri, credential ?? DefaultCredential(options));
    }

    /// <summary>
    /// A table service client over the connection string, or over <see cref="StorageOptions.TableServiceUri"/> with
    /// <paramref name="credential"/> (default: <c>DefaultAzureCredential</c>, honouring
    /// <see cref="StorageOptions.ManagedIdentityClientId"/>).
    /// </summary>
    public static TableServiceClient CreateTableServiceClient(StorageOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new TableServiceClient(options.ConnectionString);
        }

        if (options.TableServiceUri is null)
        {
            throw new InvalidOperationException(
                $"Invalid storage options: set {StorageOptions.SectionName}:{nameof(StorageOptions.TableServiceUri)} (or "
                + $"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}) to use Table Storage.");
        }

        return new TableServiceClient(options.TableServiceUri, credential ?? DefaultCredential(options));
    }

    /// <summary>
    /// A queue service client over the connection string, or over <see cref="StorageOptions.QueueServiceUri"/> with
    /// <paramref name="credential"/>. Messages are Base64-encoded, the encoding the Functions queue trigger expects.
    /// </summary>
    public static QueueServiceClient CreateQueueServiceClient(StorageOptions options, TokenCredential? credential = null) =>
        CreateQueueServiceClient(options, configure: null, credential);

    /// <summary>
    /// As <see cref="CreateQueueServiceClient(StorageOptions, TokenCredential?)"/>, letting <paramref name="configure"/> adjust the
    /// client options first, e.g. to handle <see cref="QueueClientOptions.MessageDecodingFailed"/> (a message that is not Base64,
    /// which receiving otherwise throws on every delivery).
    /// </summary>
    public static QueueServiceClient CreateQueueServiceClient(StorageOptions options, Action<QueueClientOptions>? configure, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        configure?.Invoke(clientOptions);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new QueueServiceClient(options.ConnectionString, clientOptions);
        }

        if (options.QueueServiceUri is null)
        {
            throw new InvalidOperationException(
                $"Invalid storage options: set {StorageOptions.SectionName}:{nameof(StorageOptions.QueueServiceUri)} (or "
                + $"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}) to use queues.");
        }

        return new QueueServiceClient(options.QueueServiceUri, credential ?? DefaultCredential(options), clientOptions);
    }

    private static DefaultAzureCredential DefaultCredential(StorageOptions options) => new(new DefaultAzureCredentialOptions
    {
        ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
    });
}
