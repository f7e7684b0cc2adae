namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>What a lineage node stands for. The wire names (<see cref="NodeTypes.ToWireName"/>) are stored; never rename.</summary>
public enum NodeType
{
    /// <summary>A logical dataset (an OpenLineage namespace + name), the parent of its versions.</summary>
    Dataset,

    /// <summary>One immutable, content-addressed version of a dataset.</summary>
    DatasetVersion,

    /// <summary>A job: a step of the pipeline or the pipeline itself (an OpenLineage job).</summary>
    Job,

    /// <summary>One execution of a job.</summary>
    Run,

    /// <summary>A logical model, the parent of its versions.</summary>
    Model,

    /// <summary>One trained (or imported pretrained) model version.</summary>
    ModelVersion,

    /// <summary>One recommendation: an item a model version ranked for a data subject.</summary>
    Recommendation,
}

/// <summary>Wire names of <see cref="NodeType"/>.</summary>
public static class NodeTypes
{
    public static string ToWireName(this NodeType type) => type switch
    {
        NodeType.Dataset => "dataset",
        NodeType.DatasetVersion => "datasetVersion",
        NodeType.Job => "job",
        NodeType.Run => "run",
        NodeType.Model => "model",
        NodeType.ModelVersion => "modelVersion",
        NodeType.Recommendation => "recommendation",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown node type."),
    };
}
