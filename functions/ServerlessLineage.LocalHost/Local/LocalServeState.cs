using System.Diagnostics;
using System.Text.Json;

namespace ServerlessLineage.LocalHost.Local;

/// <summary>
/// <c>.local/serve.json</c>: where a running local host (<c>lineage serve</c> or <c>lineage run</c>) serves its HTTP API, so
/// other commands can ask it for live orchestration status.
/// </summary>
internal sealed record LocalServeState(int Pid, string ApiUrl)
{
    private const string FileName = "serve.json";

    public static string PathInStateDirectory => Path.Combine(LocalSecret.StateDirectory, FileName);

    public void Write()
    {
        Directory.CreateDirectory(LocalSecret.StateDirectory);
        var temp = PathInStateDirectory + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this));
        File.Move(temp, PathInStateDirectory, overwrite: true);
    }

    /// <summary>Removes the file if it still describes this process.</summary>
    public void Remove()
    {
        if (ReadLive() is { } current && current.Pid == Pid)
        {
            File.Delete(PathInStateDirectory);
        }
    }

    /// <summary>The running local host, or null when none is (a stale file from a killed process is ignored).</summary>
    public static LocalServeState? ReadLive()
    {
        try
        {
            var state = JsonSerializer.Deserialize<LocalServeState>(File.ReadAllText(PathInStateDirectory));
            if (state is null)
            {
                return null;
            }

            using var process = Process.GetProcessById(state.Pid);
            return process.HasExited ? null : state;
        }
        catch (Exception e) when (e is IOException or JsonException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
