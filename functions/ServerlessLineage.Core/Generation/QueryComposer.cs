using System.Text;

namespace ServerlessLineage.Core.Generation;

/// <summary>Turns a target item into the query a shopper would type: a few of its attributes, synonyms, and typos.</summary>
internal static class QueryComposer
{
    public static SearchIntent Compose(Random random, CatalogItem target)
    {
        var spec = target.Spec;
        var words = new List<string>(5);
        var colour = target.Colour >= 0 && random.Chance(0.4) ? target.Colour : -1;
        var brand = random.Chance(0.3) ? target.Brand : -1;
        var material = target.Material >= 0 && random.Chance(0.3) ? target.Material : -1;
        var noun = random.Chance(0.85) ? target.Noun : -1;

        if (brand >= 0)
        {
            words.Add(spec.Brands[brand].ToLowerInvariant());
        }

        if (colour >= 0)
        {
            words.Add(ShopVocabulary.Colours[colour].ToLowerInvariant());
        }

        if (material >= 0)
        {
            words.Add(spec.Materials[material].ToLowerInvariant());
        }

        if (noun >= 0)
        {
            var nounSpec = spec.Nouns[noun];
            words.Add(nounSpec.Synonyms.Count > 0 && random.Chance(0.35)
                ? random.Pick(nounSpec.Synonyms)
                : nounSpec.Name.ToLowerInvariant());
        }
        else
        {
            words.Add(random.Pick(spec.QueryWords));
        }

        if (random.Chance(0.15))
        {
            AddTypo(random, words);
        }

        return new SearchIntent(string.Join(' ', words), target.Category, noun, brand, colour, material);
    }

    /// <summary>Drops, swaps or doubles one character of a word of four or more letters.</summary>
    private static void AddTypo(Random random, List<string> words)
    {
        var index = random.Next(words.Count);
        var word = words[index];
        if (word.Length < 4)
        {
            return;
        }

        var at = random.Next(1, word.Length - 1);
        var builder = new StringBuilder(word);
        switch (random.Next(3))
        {
            case 0:
                builder.Remove(at, 1);
                break;
            case 1:
                (builder[at], builder[at + 1]) = (builder[at + 1], builder[at]);
                break;
            default:
                builder.Insert(at, word[at]);
                break;
        }

        words[index] = builder.ToString();
    }
}
