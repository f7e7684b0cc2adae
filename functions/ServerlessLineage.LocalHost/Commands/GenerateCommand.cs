using System.CommandLine;

namespace ServerlessLineage.LocalHost.Commands;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var command = new Command("generate", "Not built yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
