using Parquet;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Text;
using S = ServerlessLineage.Core.Examples.ExamplesSchema;

namespace ServerlessLineage.Core.Examples;

/// <summary>
/// Builds labelled (context, item) examples from cleaned events (DATA-CONTRACT.md, "Training examples"): every <c>view</c> is an
/// impression, labelled 1 when the same session has a click, add_to_cart or purchase of the same item after it. The context is
/// the impression's query, or without one the titles of the previous items of the session. The chronologically last
/// <see cref="ExampleOptions.EvalFraction"/> of events is the evaluation part; item statistics are computed on the training part
/// only. Each example reports the cleaned rows it was built from: its impression, the engagements that set its label and the
/// rows that supplied its context.
/// </summary>
public sealed class ExampleBuilder
{
    /// <summary>How far after an impression the label looks, in events of the same session (bounds work on bot sessions).</summary>
    public const int MaxLabelLookahead = 10_000;

    /// <summary>Joins the titles of a query-less context.</summary>
    public const string ContextSeparator = " ; ";

    private const int RowGroupSize = 50_000;

    private readonly BertPairEncoder _encoder;
    private readonly ExampleOptions _options;

    public ExampleBuilder(BertPairEncoder encoder, ExampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (encoder.MaxLength != options.MaxSequenceLength)
        {
            throw new ArgumentException("The encoder's length differs from the options' sequence length.", nameof(encoder));
        }

        _encoder = encoder;
        _options = options;
    }

    /// <summary>
    /// Reads the cleaned events, writes the examples dataset to <paramref name="output"/>, and calls <paramref name="onExample"/>
    /// once per example, in example-id order, with the sorted cleaned-row ordinals it was built from.
    /// </summary>
    public async Task<ExampleMetrics> BuildAsync(
        Stream cleanedEvents,
        CatalogIndex catalog,
        Stream output,
        ExampleProvenanceCallback? onExample = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var events = await EventTable.LoadAsync(cleanedEvents, catalog, cancellationToken);
        var splitAt = SplitPoint(events.Ticks, _options.EvalFraction);
        var impressions = FindImpressions(events, out var sessions);
        var stats = ItemStatistics.FromTraining(events, impressions, splitAt, catalog.Count);
        var metrics = await WriteAsync(events, catalog, impressions, stats, splitAt, output, onExample, cancellationToken);
        return metrics with
        {
            CleanedRows = events.Count,
            Sessions = sessions,
            SplitAt = splitAt == long.MaxValue ? null : new DateTime(splitAt, DateTimeKind.Utc),
            MaxSequenceLength = _options.MaxSequenceLength,
        };
    }

    /// <summary>The tick at which evaluation starts: the timestamp at the (1 - fraction) quantile; MaxValue when no eval part.</summary>
    internal static long SplitPoint(long[] ticks, double evalFraction)
    {
        if (evalFraction <= 0 || ticks.Length == 0)
        {
            return long.MaxValue;
        }

        var sorted = (long[])ticks.Clone();
        Array.Sort(sorted);
        var index = (int)Math.Min(sorted.Length - 1, Math.Floor(sorted.Length * (1 - evalFraction)));
        return sorted[index];
    }

    private ImpressionList FindImpressions(EventTable events, out long sessionCount)
    {
        var order = events.SessionOrder(out var sessionStarts);
        sessionCount = sessionStarts.Length - 1;
        var found = new ImpressionList();
        var recent = new List<int>(_options.ContextItems + 1);
        var rows = new List<long>();
        for (var s = 0; s + 1 < sessionStarts.Length; s++)
        {
            var slice = order.AsSpan(sessionStarts[s], sessionStarts[s + 1] - sessionStarts[s]);
            recent.Clear();
            var position = 0;
            for (var k = 0; k < slice.Length; k++)
            {
                var r = slice[k];
                if (events.Types[r] == (byte)EventType.View)
                {
                    rows.Clear();
                    rows.Add(r);
                    var label = 0;
                    var end = Math.Min(slice.Length, k + 1 + MaxLabelLookahead);
                    for (var j = k + 1; j < end; j++)
                    {
                        var e = slice[j];
                        if (events.Items[e] == events.Items[r] && ((EventType)events.Types[e]).IsEngagement())
                        {
                            label = 1;
                            rows.Add(e);
                        }
                    }

                    var contextRows = events.Queries[r] >= 0 ? 0 : Math.Min(recent.Count, _options.ContextItems);
                    for (var c = 0; c < contextRows; c++)
                    {
                        rows.Add(recent[recent.Count - 1 - c]);
                    }

                    found.Add(r, label, position++, contextRows, rows);
                }

                Remember(recent, events, r);
            }
        }

        found.SortByImpression();
        return found;
    }

    /// <summary>Keeps the most recent row of each of the last few distinct items of a session, newest last.</summary>
    private void Remember(List<int> recent, EventTable events, int row)
    {
        var item = events.Items[row];
        for (var i = 0; i < recent.Count; i++)
        {
            if (events.Items[recent[i]] == item)
            {
                recent.RemoveAt(i);
                break;
            }
        }

        recent.Add(row);
        if (recent.Count > Math.Max(1, _options.ContextItems))
        {
            recent.RemoveAt(0);
        }
    }

    private async Task<ExampleMetrics> WriteAsync(
        EventTable events,
        CatalogIndex catalog,
        ImpressionList impressions,
        ItemStatistics stats,
        long splitAt,
        Stream output,
        ExampleProvenanceCallback? onExample,
        CancellationToken cancellationToken)
    {
        var length = _options.MaxSequenceLength;
        var itemTokens = new int[catalog.Count][];
        var itemTexts = new string[catalog.Count];
        var queryTokens = new Dictionary<int, int[]>();
        var titleTokens = new int[catalog.Count][];
        var separator = _encoder.Tokenize(ContextSeparator.Trim());
        var context = new List<int>();
        var batch = new ExampleBatch(RowGroupSize, length, [.. catalog.Items.Select(i => i.ItemId)]);
        long train = 0, eval = 0, trainPositive = 0, evalPositive = 0, truncated = 0;
        var provenance = new List<long>();
        var features = new float[ExampleFeatures.Count];

        await using var writer = await ParquetWriter.CreateAsync(S.Schema, output, ParquetFormat.Options, cancellationToken: cancellationToken);
        for (var x = 0; x < impressions.Count; x++)
        {
            var r = impressions.Rows[x];
            var item = events.Items[r];
            var label = impressions.Labels[x];
            var isTrain = events.Ticks[r] < splitAt;
            if (isTrain)
            {
                train++;
                trainPositive += label;
            }
            else
            {
                eval++;
                evalPositive += label;
            }

            itemTexts[item] ??= ItemText(catalog.Items[item]);
            itemTokens[item] ??= _encoder.Tokenize(itemTexts[item]);
            string contextText;
            int[] contextTokens;
            var query = events.Queries[r];
            if (query >= 0)
            {
                contextText = events.QueryTexts[query];
                if (!queryTokens.TryGetValue(query, out contextTokens!))
                {
                    contextTokens = _encoder.Tokenize(contextText);
                    queryTokens[query] = contextTokens;
                }
            }
            else
            {
                // WordPiece splits on whitespace and punctuation, so the joined titles tokenize as the titles' tokens joined by
                // the separator's: each title is tokenized once per item instead of once per example.
                var contextRows = impressions.ContextRowsOf(x);
                var titles = new string[contextRows.Length];
                context.Clear();
                for (var c = 0; c < contextRows.Length; c++)
                {
                    var contextItem = events.Items[contextRows[c]];
                    titles[c] = catalog.Items[contextItem].Title;
                    if (c > 0)
                    {
                        context.AddRange(separator);
                    }

                    context.AddRange(titleTokens[contextItem] ??= _encoder.Tokenize(titles[c]));
                }

                contextText = string.Join(ContextSeparator, titles);
                contextTokens = [.. context];
            }

            stats.Features(events, r, label, isTrain, impressions.Positions[x], features);
            var slot = batch.Count;
            var used = _encoder.EncodePair(contextTokens, itemTokens[item], batch.InputIds(slot), batch.AttentionMask(slot), batch.TokenTypeIds(slot));
            if (contextTokens.Length + itemTokens[item].Length + 3 > used)
            {
                truncated++;
            }

            batch.Add(x, isTrain ? S.TrainSplit : S.EvalSplit, label, r, events, impressions.Positions[x], contextText, itemTexts[item], features);
            if (onExample is not null)
            {
                provenance.Clear();
                foreach (var row in impressions.RowsOf(x))
                {
                    provenance.Add(row);
                }

                provenance.Sort();
                onExample(x, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(provenance));
            }

            if (batch.Count == RowGroupSize)
            {
                await batch.FlushAsync(writer, cancellationToken);
            }
        }

        await batch.FlushAsync(writer, cancellationToken);
        return new ExampleMetrics
        {
            Impressions = impressions.Count,
            TrainExamples = train,
            EvalExamples = eval,
            TrainPositiveRate = train == 0 ? 0 : (double)trainPositive / train,
            EvalPositiveRate = eval == 0 ? 0 : (double)evalPositive / eval,
            Truncated = truncated,
        };
    }

    /// <summary>The item side of the model input: title, category and brand.</summary>
    public static string ItemText(CatalogItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Brand is null ? $"{item.Title} | {item.Category}" : $"{item.Title} | {item.Category} | {item.Brand}";
    }
}

/// <summary>Receives one example's id and the sorted cleaned-row ordinals it was built from.</summary>
public delegate void ExampleProvenanceCallback(long exampleId, ReadOnlySpan<long> cleanedRows);
