using System.Security.Cryptography;

namespace ServerlessLineage.LocalHost;

/// <summary>
/// The pseudonymisation secret for local runs: <c>Pseudonymisation__Secret</c> (base64, at least 16 bytes) when set, otherwise a
/// random 32-byte key generated once in the git-ignored state folder (<c>.local/</c>) and reused, so subjects stay stable
/// across runs. In Azure the secret comes from Key Vault through app settings.
/// </summary>
internal static class LocalSecret
{
    public const string EnvironmentVariable = "Pseudonymisation__Secret";
    public const string StateDirectoryVariable = "SERVERLESSLINEAGE_STATE";
    private const string FileName = "pseudonymisation.key";

    public static string StateDirectory =>
        Environment.GetEnvironmentVariable(StateDirectoryVariable) is { Length: > 0 } dir ? dir : Path.Combine(Environment.CurrentDirectory, ".local");

    public static byte[] Load()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return Decode(configured, EnvironmentVariable);
        }

        var path = Path.Combine(StateDirectory, FileName);
        if (File.Exists(path))
        {
            return Decode(File.ReadAllText(path).Trim(), path);
        }

        Directory.CreateDirectory(StateDirectory);
        var secret = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(secret));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException)
        {
            // Another process created it first: use theirs.
            File.Delete(temp);
            return Decode(File.ReadAllText(path).Trim(), path);
        }

        return secret;
    }

    private static byte[] Decode(string base64, string origin)
    {
        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(base64);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"The pseudonymisation secret in {origin} is not base64.", ex);
        }

        return secret.Length >= 16 ? secret : throw new InvalidOperationException($"The pseudonymisation secret in {origin} is shorter than 16 bytes.");
    }
}
