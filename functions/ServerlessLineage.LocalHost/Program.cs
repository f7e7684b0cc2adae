using System.CommandLine;
using ServerlessLineage.LocalHost.Commands;

var root = new RootCommand("ServerlessLineage local tools: generate shop behaviour data, clean and featurize it with row-level provenance.");
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(PrepareCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
