namespace ServerlessLineage.Functions.Hosting;

/// <summary>
/// The HMAC secret that turns user ids into subjects (configuration section <c>Pseudonymisation</c>, the same key the local host
/// reads as <c>Pseudonymisation__Secret</c>). In Azure the app setting is a Key Vault reference; it is never generated here,
/// because a new secret would silently give every user a new subject.
/// </summary>
public sealed class PseudonymisationOptions
{
    public const string SectionName = "Pseudonymisation";

    /// <summary>Shortest secret accepted, in bytes (what <see cref="Core.Cleaning.Pseudonymizer"/> requires).</summary>
    public const int MinSecretBytes = 16;

    /// <summary>The secret, base64-encoded (e.g. <c>openssl rand -base64 32</c>).</summary>
    public string? Secret { get; set; }

    /// <summary>What is wrong with these options; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Secret))
        {
            return [$"{SectionName}:{nameof(Secret)} is required (base64, at least {MinSecretBytes} bytes; a Key Vault reference in Azure)."];
        }

        return TryDecode(Secret) is { Length: >= MinSecretBytes }
            ? []
            : [$"{SectionName}:{nameof(Secret)} must be base64 of at least {MinSecretBytes} bytes."];
    }

    /// <summary>The decoded secret; throws <see cref="InvalidOperationException"/> when it is missing or invalid.</summary>
    public byte[] SecretBytes()
    {
        var errors = Validate();
        return errors.Count == 0 ? TryDecode(Secret!)! : throw new InvalidOperationException(string.Join(" ", errors));
    }

    private static byte[]? TryDecode(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) ? buffer[..written] : null;
    }
}
