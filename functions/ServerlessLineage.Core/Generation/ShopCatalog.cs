using System.Globalization;
using System.Text;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>The generated catalog with the indices the session simulator samples from.</summary>
internal sealed class ShopCatalog
{
    private static readonly string[] CareNotes =
    [
        "Free returns within 30 days.",
        "Ships in recyclable packaging.",
        "Two-year manufacturer warranty.",
        "Customers rate it highly for value.",
        "Limited stock, order soon.",
    ];

    private readonly List<int>[] _byCategory;
    private readonly Dictionary<(int Category, int Noun), List<int>> _byNoun = [];

    private ShopCatalog(IReadOnlyList<CatalogItem> items)
    {
        Items = items;
        _byCategory = new List<int>[ShopVocabulary.Categories.Count];
        for (var c = 0; c < _byCategory.Length; c++)
        {
            _byCategory[c] = [];
        }

        foreach (var item in items)
        {
            _byCategory[item.Category].Add(item.Index);
            var key = (item.Category, item.Noun);
            if (!_byNoun.TryGetValue(key, out var list))
            {
                list = [];
                _byNoun[key] = list;
            }

            list.Add(item.Index);
        }
    }

    public IReadOnlyList<CatalogItem> Items { get; }

    public IReadOnlyList<int> InCategory(int category) => _byCategory[category];

    public IReadOnlyList<int> WithNoun(int category, int noun) =>
        _byNoun.TryGetValue((category, noun), out var list) ? list : _byCategory[category];

    public static string ItemId(int index) => string.Create(CultureInfo.InvariantCulture, $"it-{index:D6}");

    /// <summary>Builds <paramref name="size"/> items. Every category gets items before any gets a second round.</summary>
    public static ShopCatalog Build(Random random, int size)
    {
        var categories = ShopVocabulary.Categories;
        var items = new List<CatalogItem>(size);
        for (var i = 0; i < size; i++)
        {
            var category = i < categories.Count ? i : random.Next(categories.Count);
            items.Add(CreateItem(random, i, category));
        }

        return new ShopCatalog(items);
    }

    /// <summary>Writes the catalog as CSV with a header row and <c>\n</c> line endings.</summary>
    public void WriteCsv(Stream output)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var builder = new StringBuilder(256);
        CsvText.AppendRecord(builder, CatalogFields.All);
        var fields = new string?[6];
        foreach (var item in Items)
        {
            fields[0] = item.ItemId;
            fields[1] = item.Title;
            fields[2] = item.Spec.Name;
            fields[3] = item.Spec.Brands[item.Brand];
            fields[4] = Money.Format(item.PriceCents);
            fields[5] = item.Description;
            CsvText.AppendRecord(builder, fields);
            if (builder.Length > 1 << 15)
            {
                writer.Write(builder);
                builder.Clear();
            }
        }

        writer.Write(builder);
    }

    private static CatalogItem CreateItem(Random random, int index, int category)
    {
        var spec = ShopVocabulary.Categories[category];
        var noun = random.Next(spec.Nouns.Count);
        var nounSpec = spec.Nouns[noun];
        var brand = random.Next(spec.Brands.Count);
        var colour = spec.HasColour && random.Chance(0.8) ? random.Next(ShopVocabulary.Colours.Count) : -1;
        var material = spec.Materials.Count > 0 && random.Chance(0.7) ? random.Next(spec.Materials.Count) : -1;
        var descriptor = random.Chance(0.5) ? random.Pick(spec.Descriptors) : null;
        var model = spec.Subtitles.Count == 0 && random.Chance(0.6)
            ? random.Pick(ShopVocabulary.ModelWords) + (random.Chance(0.5) ? string.Create(CultureInfo.InvariantCulture, $" {random.Next(2, 10) * 100}") : string.Empty)
            : null;
        var size = nounSpec.Sizes.Count > 0 && random.Chance(0.75) ? random.Pick(nounSpec.Sizes) : null;
        var subtitle = spec.Subtitles.Count > 0 ? random.Pick(spec.Subtitles) : null;
        var price = random.NextLogNormal(spec.MedianPrice, spec.PriceSigma);
        var priceCents = price >= 10 ? ((long)Math.Round(price) * 100) - 1 : Math.Max(99, ((long)Math.Round(price * 10) * 10) - 1);
        var colourCommaStyle = colour >= 0 && random.Chance(0.3);

        var title = new StringBuilder(96);
        title.Append(spec.Brands[brand]);
        if (descriptor is not null)
        {
            title.Append(' ').Append(descriptor);
        }

        if (colour >= 0 && !colourCommaStyle)
        {
            title.Append(' ').Append(ShopVocabulary.Colours[colour]);
        }

        if (material >= 0)
        {
            title.Append(' ').Append(spec.Materials[material]);
        }

        var inchSize = size is not null && size.EndsWith('"');
        if (inchSize)
        {
            title.Append(' ').Append(size);
        }

        title.Append(' ').Append(nounSpec.Name);
        if (model is not null)
        {
            title.Append(' ').Append(model);
        }

        if (subtitle is not null)
        {
            title.Append(": ").Append(subtitle);
        }

        if (colourCommaStyle)
        {
            title.Append(", ").Append(ShopVocabulary.Colours[colour]);
        }

        if (size is not null && !inchSize)
        {
            title.Append(", ").Append(size);
        }

        var description = new StringBuilder(160);
        description.Append(descriptor ?? "Quality").Append(' ').Append(nounSpec.Name.ToLowerInvariant()).Append(" from ").Append(spec.Brands[brand]);
        if (colour >= 0 || material >= 0)
        {
            description.Append(" in");
            if (colour >= 0)
            {
                description.Append(' ').Append(ShopVocabulary.Colours[colour].ToLowerInvariant());
            }

            if (material >= 0)
            {
                description.Append(' ').Append(spec.Materials[material].ToLowerInvariant());
            }
        }

        description.Append(". Part of our ").Append(spec.Name).Append(" range");
        // A few multi-line descriptions make physical lines and records differ in the catalog file.
        description.Append(index % 97 == 13 ? ".\n" : ". ");
        description.Append(random.Pick(CareNotes));

        return new CatalogItem(index, ItemId(index), title.ToString(), category, noun, brand, colour, material, priceCents, description.ToString());
    }
}
