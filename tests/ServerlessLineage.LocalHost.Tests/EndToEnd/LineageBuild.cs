using System.Diagnostics;
using ServerlessLineage.Testing;

namespace ServerlessLineage.LocalHost.Tests.EndToEnd;

/// <summary>
/// The <c>./lineage</c> build (<c>.local/build/lineage</c>): the local host with the GPU worker beside it and the libtorch natives
/// that this test project leaves out of its own output. Tests that run the real host or worker take their programs from there.
/// </summary>
internal static class LineageBuild
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The build's output folder.</summary>
    public static string Directory => Path.Combine(RepositoryRoot.Find(), ".local", "build", "lineage");

    /// <summary>The host program, <c>lineage.dll</c>.</summary>
    public static string HostProgram => Path.Combine(Directory, "lineage.dll");

    /// <summary>The GPU worker program beside it.</summary>
    public static string WorkerProgram => Path.Combine(Directory, "gpu-worker.dll");

    /// <summary>
    /// Brings the build up to date the way a user does: <c>./lineage --help</c> builds when sources changed since the last build
    /// (a no-op otherwise), and then prints its help.
    /// </summary>
    public static async Task EnsureBuiltAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var root = RepositoryRoot.Find();
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
            start.ArgumentList.Add(Path.Combine(root, "lineage"));
            start.ArgumentList.Add("--help");
            start.Environment["SERVERLESSLINEAGE_STATE"] = stateDirectory;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("./lineage did not start.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0 || !File.Exists(HostProgram) || !File.Exists(WorkerProgram))
            {
                throw new InvalidOperationException($"./lineage --help exited with {process.ExitCode}:\n{await output}\n{await error}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The dotnet host that runs the tests (the SDK exports its path), else the one on PATH.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
}
