using System.CommandLine;
using ServerlessLineage.LocalHost.Commands;

var root = new RootCommand("ServerlessLineage on this machine: run the whole pipeline on Azurite (run, serve), query its lineage (status, trace, explain, subject), and the tools behind it (generate, prepare, train, eval, bench).");
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(PrepareCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
foreach (var command in QueryCommands.Create())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
