using ServerlessLineage.LocalHost.Tests.Durable;

namespace ServerlessLineage.LocalHost.Tests;

/// <summary>
/// Entry point of the test assembly when it is run as a program (<c>dotnet ServerlessLineage.LocalHost.Tests.dll …</c>) rather
/// than by the test runner: only <see cref="DurableChildHost.Command"/>, a durable host for tests to kill.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == DurableChildHost.Command)
        {
            return await DurableChildHost.RunAsync(args[1..]);
        }

        await Console.Error.WriteLineAsync($"Usage: {DurableChildHost.Command} <storage connection string> <task hub> <instance id> <marker path>");
        return 2;
    }
}
