using System.Text.RegularExpressions;

namespace ServerlessLineage.Core.Datasets;

/// <summary>Blob layout and OpenLineage naming of content-addressed datasets.</summary>
public static partial class DatasetNaming
{
    /// <summary>Longest accepted dataset name; keeps blob names far below Azure's 1,024 characters.</summary>
    public const int MaxDatasetNameLength = 200;

    /// <summary>Host suffix of blob endpoints in OpenLineage namespaces.</summary>
    public const string BlobHostSuffix = ".blob.core.windows.net";

    /// <summary>Prefix of the hash part of a content-addressed blob name.</summary>
    public const string ContentAddressPrefix = "sha256-";

    /// <summary>Whether <paramref name="name"/> is lowercase path segments of <c>[a-z0-9._-]</c> joined by '/'.</summary>
    public static bool IsValidDatasetName(string? name) =>
        name is { Length: > 0 and <= MaxDatasetNameLength } && DatasetNamePattern().IsMatch(name);

    /// <summary>Whether <paramref name="extension"/> is empty or dot-separated alphanumeric parts such as <c>.parquet</c> or <c>.jsonl.gz</c>.</summary>
    public static bool IsValidExtension(string? extension) =>
        extension is { Length: <= 32 } && ExtensionPattern().IsMatch(extension);

    /// <summary>The blob name of one version: <c>&lt;datasetName&gt;/sha256-&lt;hex&gt;&lt;extension&gt;</c>.</summary>
    public static string ContentAddressedBlobName(string datasetName, Sha256Digest digest, string extension)
    {
        if (!IsValidDatasetName(datasetName))
        {
            throw new ArgumentException(
                $"Dataset name '{datasetName}' must be 1-{MaxDatasetNameLength} characters of lowercase path segments [a-z0-9._-] separated by '/'.",
                nameof(datasetName));
        }

        if (!IsValidExtension(extension))
        {
            throw new ArgumentException($"Extension '{extension}' must be empty or like '.parquet' or '.jsonl.gz'.", nameof(extension));
        }

        if (digest.Hex is null)
        {
            throw new ArgumentException("The digest is uninitialised.", nameof(digest));
        }

        return $"{datasetName}/{ContentAddressPrefix}{digest.Hex}{extension.ToLowerInvariant()}";
    }

    /// <summary>The OpenLineage namespace of a blob container: <c>wasbs://&lt;container&gt;@&lt;account&gt;.blob.core.windows.net</c>.</summary>
    public static string OpenLineageNamespace(string container, string accountName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        return $"wasbs://{container}@{accountName}{BlobHostSuffix}";
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DatasetNamePattern();

    [GeneratedRegex(@"^(\.[A-Za-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionPattern();
}
