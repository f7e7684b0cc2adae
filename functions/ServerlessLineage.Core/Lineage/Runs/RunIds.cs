using System.Security.Cryptography;
using System.Text;

namespace ServerlessLineage.Core.Lineage.Runs;

/// <summary>
/// Deterministic run ids, so that a repeated trigger, a replayed orchestration or a re-executed activity maps to the run it
/// already has. They are RFC 9562 name-based UUIDs, version 5 (section 5.5): the first 16 bytes of
/// <c>SHA-1(namespace UUID in network byte order || UTF-8 name)</c> with the version nibble set to 5 and the variant bits to
/// <c>10</c>. Any RFC 9562 implementation reproduces them (Python: <c>uuid.uuid5(namespace, name)</c>).
/// <list type="bullet">
/// <item>Orchestration run: namespace <see cref="OrchestrationNamespace"/>, name = the durable instance id.</item>
/// <item>Activity run: namespace = the orchestration (root) run id, name = the job name, e.g. <c>pipeline.clean_events</c>.</item>
/// </list>
/// A version-5 UUID always carries its version bits, so none of these is ever <see cref="Guid.Empty"/>.
/// </summary>
public static class RunIds
{
    /// <summary>RFC 9562's predefined namespace for URLs (6ba7b811-9dad-11d1-80b4-00c04fd430c8).</summary>
    public static readonly Guid UrlNamespace = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    /// <summary>The URL <see cref="OrchestrationNamespace"/> is derived from (in <see cref="UrlNamespace"/>).</summary>
    public const string OrchestrationNamespaceUrl = "https://github.com/serverless-lineage/serverless-lineage/lineage/runs";

    /// <summary>
    /// Namespace of orchestration run ids: <c>NameBased(UrlNamespace, OrchestrationNamespaceUrl)</c>, written out so that the
    /// ids never change with code.
    /// </summary>
    public static readonly Guid OrchestrationNamespace = new("9157fa58-047f-5f03-9c84-41cc0c2b6ef7");

    private const int Version = 5;

    /// <summary>The orchestration run id of a durable orchestration instance.</summary>
    public static Guid FromInstanceId(string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        return NameBased(OrchestrationNamespace, instanceId);
    }

    /// <summary>The run id of the activity (job) <paramref name="jobName"/> inside the orchestration run <paramref name="rootRunId"/>.</summary>
    public static Guid ForActivity(Guid rootRunId, string jobName)
    {
        if (rootRunId == Guid.Empty)
        {
            throw new ArgumentException("The root run id is not the empty UUID.", nameof(rootRunId));
        }

        ArgumentException.ThrowIfNullOrEmpty(jobName);
        return NameBased(rootRunId, jobName);
    }

    /// <summary>The RFC 9562 version-5 (SHA-1, name-based) UUID of <paramref name="name"/> in <paramref name="namespaceId"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Security", "CA5350", Justification = "RFC 9562 defines version 5 over SHA-1; the hash names a run, it protects nothing.")]
    public static Guid NameBased(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        if (!namespaceId.TryWriteBytes(input, bigEndian: true, out _))
        {
            throw new InvalidOperationException("A UUID is 16 bytes.");
        }

        nameBytes.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        var uuid = hash[..16];

        // Octet 6 carries the version in its high nibble; octet 8 the variant 0b10 in its two high bits.
        uuid[6] = (byte)((uuid[6] & 0x0F) | (Version << 4));
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return new Guid(uuid, bigEndian: true);
    }
}
