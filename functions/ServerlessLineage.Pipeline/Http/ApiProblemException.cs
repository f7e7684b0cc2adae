namespace ServerlessLineage.Pipeline.Http;

/// <summary>Raised inside a handler to answer with <see cref="Problem"/>; <see cref="LineageApi"/> turns it into the response.</summary>
public sealed class ApiProblemException(ApiProblem problem) : Exception(problem?.Detail)
{
    public ApiProblem Problem { get; } = problem ?? throw new ArgumentNullException(nameof(problem));
}
