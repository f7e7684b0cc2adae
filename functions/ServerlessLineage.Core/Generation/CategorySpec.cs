namespace ServerlessLineage.Core.Generation;

/// <summary>Vocabulary and price model of one catalog category.</summary>
/// <param name="Name">Category as written in the catalog, lower case.</param>
/// <param name="QueryWords">Words a shopper may type for the whole category.</param>
/// <param name="Nouns">Product nouns of the category.</param>
/// <param name="Brands">Brands selling in the category.</param>
/// <param name="Materials">Materials or formats; may be empty.</param>
/// <param name="Descriptors">Feature adjectives placed before the noun, e.g. <c>Wireless</c>.</param>
/// <param name="HasColour">Whether items of the category have a colour.</param>
/// <param name="MedianPrice">Median of the category's log-normal price.</param>
/// <param name="PriceSigma">Standard deviation of the log price.</param>
/// <param name="Subtitles">Title subtitles after a colon (books); may be empty.</param>
public sealed record CategorySpec(
    string Name,
    IReadOnlyList<string> QueryWords,
    IReadOnlyList<NounSpec> Nouns,
    IReadOnlyList<string> Brands,
    IReadOnlyList<string> Materials,
    IReadOnlyList<string> Descriptors,
    bool HasColour,
    double MedianPrice,
    double PriceSigma,
    IReadOnlyList<string> Subtitles);
