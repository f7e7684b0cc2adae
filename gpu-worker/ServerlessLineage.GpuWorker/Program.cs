using ServerlessLineage.GpuWorker;

return await WorkerProgram.RunAsync(args, Console.Out, Console.Error);
