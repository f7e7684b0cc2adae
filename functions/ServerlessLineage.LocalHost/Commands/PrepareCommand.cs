using System.CommandLine;

namespace ServerlessLineage.LocalHost.Commands;

internal static class PrepareCommand
{
    public static Command Create()
    {
        var command = new Command("prepare", "Not built yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
