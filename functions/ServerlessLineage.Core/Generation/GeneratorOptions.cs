namespace ServerlessLineage.Core.Generation;

/// <summary>What <see cref="ShopDataGenerator"/> produces. Equal options give byte-identical files.</summary>
public sealed record GeneratorOptions
{
    /// <summary>The default first instant of generated activity.</summary>
    public static DateTimeOffset DefaultStart { get; } = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Total data rows of the events file, bad rows included (the header is not a row).</summary>
    public int Events { get; init; } = 10_000;

    public int Seed { get; init; } = 42;

    public EventFileFormat Format { get; init; } = EventFileFormat.Csv;

    /// <summary>Compress the events file with gzip (the catalog stays plain CSV).</summary>
    public bool Gzip { get; init; }

    /// <summary>Fraction of the events file's rows that are defective, spread over every reason code. In [0, 1).</summary>
    public double BadShare { get; init; }

    /// <summary>Fraction of sessions whose clicks ignore relevance. In [0, 1).</summary>
    public double NoisyShare { get; init; }

    /// <summary>Session starts are spread from here over <see cref="Days"/> days.</summary>
    public DateTimeOffset Start { get; init; } = DefaultStart;

    public int Days { get; init; } = 28;

    /// <summary>Number of catalog items; null derives it from <see cref="Events"/>.</summary>
    public int? CatalogSize { get; init; }

    /// <summary>The catalog size actually used.</summary>
    public int EffectiveCatalogSize => CatalogSize ?? Math.Clamp(Events / 50, 200, 100_000);

    /// <summary>Human-readable problems with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Events < 0)
        {
            errors.Add($"events must be >= 0 (was {Events}).");
        }

        if (!(BadShare >= 0 && BadShare < 1))
        {
            errors.Add($"bad share must be in [0, 1) (was {BadShare.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }

        if (!(NoisyShare >= 0 && NoisyShare < 1))
        {
            errors.Add($"noisy share must be in [0, 1) (was {NoisyShare.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }

        if (Days < 1)
        {
            errors.Add($"days must be >= 1 (was {Days}).");
        }

        if (CatalogSize is < 1 or > 1_000_000)
        {
            errors.Add($"catalog size must be in [1, 1000000] (was {CatalogSize}).");
        }

        if (Start.Year < 1900 || Start.Year > 2090)
        {
            errors.Add($"start must be between years 1900 and 2090 (was {Start:O}).");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming every problem when the options are not usable.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }
}
