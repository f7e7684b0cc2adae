namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>A model's outputs for a sequence of examples, in input order: logits and their sigmoid probabilities.</summary>
public sealed record ModelScores(float[] Logits, float[] Probabilities)
{
    public int Count => Logits.Length;
}
