using ServerlessLineage.Core.Examples;

namespace ServerlessLineage.Core.Preparation;

/// <summary>Settings of a local prepare run (clean + examples).</summary>
public sealed record PrepareOptions
{
    /// <summary>When the run started: the reference for FUTURE_TIMESTAMP.</summary>
    public required DateTimeOffset RunStartedAt { get; init; }

    public ExampleOptions Examples { get; init; } = new();

    /// <summary>OpenLineage namespace the inputs and outputs are named under (e.g. <c>file://host</c> locally).</summary>
    public string Namespace { get; init; } = "file://local";
}
