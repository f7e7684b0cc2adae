using System.CommandLine;

namespace ServerlessLineage.LocalHost.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Not built yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
