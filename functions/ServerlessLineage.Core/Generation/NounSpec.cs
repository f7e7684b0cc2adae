namespace ServerlessLineage.Core.Generation;

/// <summary>A product noun as it appears in titles, the words shoppers also use for it, and the sizes it comes in.</summary>
/// <param name="Name">Title form, e.g. <c>Sneakers</c>.</param>
/// <param name="Synonyms">Lower-case query alternatives, e.g. <c>trainers</c>.</param>
/// <param name="Sizes">Size labels; one ending in an inch mark is written before the noun, others after a comma.</param>
public sealed record NounSpec(string Name, IReadOnlyList<string> Synonyms, IReadOnlyList<string> Sizes);
