using ServerlessLineage.Modeling.Jobs;

namespace ServerlessLineage.GpuWorker.Handling;

/// <summary>
/// How this worker runs jobs (configuration section <c>Worker</c>, e.g. <c>Worker__Device=cuda</c>): properties of the machine,
/// not of the work, so they are not in the job message. Validated at start-up.
/// </summary>
public sealed class TrainingJobHandlerOptions
{
    public const string SectionName = "Worker";

    /// <summary>libtorch intra-op threads.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>"auto" (CUDA when libtorch sees one), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Folder under which each job gets a temporary work folder (deleted afterwards); empty: the system temp folder.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Name of the trained model in lineage.</summary>
    public string ModelName { get; set; } = ModelJobOptions.DefaultModelName;

    /// <summary>The runner's options for these settings.</summary>
    public ModelJobOptions ToRunnerOptions() => new() { Threads = Threads, Device = Device, ModelName = ModelName };

    /// <summary>What is wrong with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        try
        {
            ToRunnerOptions().Validate();
            return [];
        }
        catch (ArgumentException e)
        {
            return [$"{SectionName}: {e.Message}"];
        }
    }
}
