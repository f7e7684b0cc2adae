namespace ServerlessLineage.Storage.Lineage;

/// <summary>Where and how <see cref="TableLineageStore"/> keeps lineage: the table name prefix and write concurrency.</summary>
public sealed class LineageTableOptions
{
    /// <summary>Configuration section, e.g. <c>LineageTables__TablePrefix</c>.</summary>
    public const string SectionName = "LineageTables";

    /// <summary>Default <see cref="TablePrefix"/>.</summary>
    public const string DefaultTablePrefix = "lineage";

    /// <summary>Longest prefix that keeps every table name within Azure's 63 characters.</summary>
    public const int MaxTablePrefixLength = 63 - 15;

    /// <summary>Prefix of every lineage table name: letters and digits, starting with a letter (tables are e.g. <c>lineagegraph</c>).</summary>
    public string TablePrefix { get; set; } = DefaultTablePrefix;

    /// <summary>Transactions on different partitions sent at once by one write.</summary>
    public int MaxParallelTransactions { get; set; } = 4;

    /// <summary>Read-modify-write attempts of <see cref="TableLineageStore.TransitionRunAsync"/> before it gives up on a busy run.</summary>
    public int MaxRunUpdateAttempts { get; set; } = 10;

    /// <summary>Returns what is wrong with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var prefix = TablePrefix ?? string.Empty;
        if (prefix.Length == 0 || prefix.Length > MaxTablePrefixLength || !char.IsAsciiLetter(prefix[0]) || !prefix.All(char.IsAsciiLetterOrDigit))
        {
            errors.Add(
                $"{SectionName}:{nameof(TablePrefix)} must be 1-{MaxTablePrefixLength} ASCII letters and digits starting with a letter; got '{prefix}'.");
        }

        if (MaxParallelTransactions < 1)
        {
            errors.Add($"{SectionName}:{nameof(MaxParallelTransactions)} must be at least 1; got {MaxParallelTransactions}.");
        }

        if (MaxRunUpdateAttempts < 1)
        {
            errors.Add($"{SectionName}:{nameof(MaxRunUpdateAttempts)} must be at least 1; got {MaxRunUpdateAttempts}.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid lineage table options: " + string.Join(" ", errors));
        }
    }
}
