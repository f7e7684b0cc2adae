using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessLineage.Core.Lineage.Runs;

/// <summary>
/// Orchestration instance ids derived from the blob version a run processes: one (container, blob name, ETag) is one instance
/// id, so a repeated storage event or an HTTP start naming the same blob version finds the run that exists instead of starting a
/// second one. The run id follows from the instance id (<see cref="RunIds.FromInstanceId"/>).
/// </summary>
public static partial class PipelineInstanceIds
{
    /// <summary>Durable Functions' limit on instance ids.</summary>
    public const int MaxLength = 100;

    /// <summary>Hex digits of the SHA-256 kept: 128 bits, beyond accidental collision for any number of uploads.</summary>
    public const int HashHexDigits = 32;

    /// <summary>
    /// <c>&lt;container&gt;-&lt;32 hex&gt;</c>: the container keeps the id readable, the hash covers container, blob name and
    /// ETag. ETags compare without their quotes and weak marker (<c>W/"0x8D…"</c>, <c>"0x8D…"</c> and <c>0x8D…</c> are one
    /// version), because event payloads and SDKs print them differently.
    /// </summary>
    public static string ForBlob(string container, string blobName, string etag)
    {
        if (container is null || !ContainerName().IsMatch(container))
        {
            throw new ArgumentException(
                $"'{container}' is not a blob container name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.",
                nameof(container));
        }

        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var version = NormalizeETag(etag);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{container}\n{blobName}\n{version}"));
        return $"{container}-{Convert.ToHexStringLower(hash)[..HashHexDigits]}";
    }

    /// <summary>The ETag without a weak marker and surrounding quotes; throws when nothing is left.</summary>
    public static string NormalizeETag(string etag)
    {
        ArgumentNullException.ThrowIfNull(etag);
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"');
        return value.Length == 0 ? throw new ArgumentException("The ETag is empty.", nameof(etag)) : value;
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
