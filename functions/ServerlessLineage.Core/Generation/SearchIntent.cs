namespace ServerlessLineage.Core.Generation;

/// <summary>What a search query asks for: the attributes it mentions (-1 when not mentioned) and the typed text.</summary>
internal sealed record SearchIntent(string Text, int Category, int Noun, int Brand, int Colour, int Material)
{
    /// <summary>Attribute overlap of an item with this query, in [0, 1].</summary>
    public double Relevance(CatalogItem item)
    {
        if (item.Category != Category)
        {
            return 0;
        }

        double score;
        double attributeWeight;
        if (Noun < 0)
        {
            score = 0.5;
            attributeWeight = 1.0;
        }
        else if (item.Noun == Noun)
        {
            score = 0.6;
            attributeWeight = 1.0;
        }
        else
        {
            score = 0.12;
            attributeWeight = 0.4;
        }

        if (Brand >= 0 && item.Brand == Brand)
        {
            score += 0.2 * attributeWeight;
        }

        if (Colour >= 0 && item.Colour == Colour)
        {
            score += 0.12 * attributeWeight;
        }

        if (Material >= 0 && item.Material == Material)
        {
            score += 0.08 * attributeWeight;
        }

        return Math.Min(1.0, score);
    }
}
