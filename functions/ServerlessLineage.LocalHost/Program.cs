using System.CommandLine;
using ServerlessLineage.LocalHost.Commands;

var root = new RootCommand("ServerlessLineage local tools: generate shop behaviour data, clean and featurize it with row-level provenance, measure training and model quality.");
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(PrepareCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
foreach (var command in QueryCommands.Create())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
