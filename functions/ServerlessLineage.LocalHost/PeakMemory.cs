using System.Diagnostics;

namespace ServerlessLineage.LocalHost;

/// <summary>
/// Peak resident memory per measured stage. On Linux the kernel's high-water mark (VmHWM) is reset through
/// <c>/proc/self/clear_refs</c> before a stage and read after it; elsewhere the process-wide peak is reported.
/// </summary>
internal static class PeakMemory
{
    public static bool CanReset => OperatingSystem.IsLinux() && File.Exists("/proc/self/clear_refs");

    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (CanReset)
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Peak resident bytes since the last <see cref="Reset"/> (Linux) or since start.</summary>
    public static long Read()
    {
        if (OperatingSystem.IsLinux())
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    return kb * 1024;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
