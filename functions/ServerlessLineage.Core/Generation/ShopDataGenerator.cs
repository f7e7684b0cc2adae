using System.IO.Compression;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>
/// Deterministic synthetic shop data: a catalog, behaviour events with learnable click signal (position bias times relevance
/// and taste), optional noisy sessions and bad rows of every reason code, and the ground truth describing them.
/// </summary>
public static class ShopDataGenerator
{
    public const string CatalogFileName = "catalog.csv";

    /// <summary>The events file name for these options, e.g. <c>events.jsonl.gz</c>.</summary>
    public static string EventsFileName(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Format == EventFileFormat.Csv ? "events.csv" : "events.jsonl";
        return options.Gzip ? name + ".gz" : name;
    }

    /// <summary>Writes the events file, the catalog and <see cref="GroundTruth.FileName"/> into <paramref name="outDir"/>.</summary>
    public static GenerationSummary Generate(GeneratorOptions options, string outDir)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Directory.CreateDirectory(outDir);
        var eventsPath = Path.Combine(outDir, EventsFileName(options));
        var catalogPath = Path.Combine(outDir, CatalogFileName);
        var groundTruthPath = Path.Combine(outDir, GroundTruth.FileName);

        GroundTruth truth;
        using (var events = new FileStream(eventsPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var catalog = new FileStream(catalogPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            truth = Generate(options, events, catalog);
        }

        truth.Save(groundTruthPath);
        return new GenerationSummary(eventsPath, catalogPath, groundTruthPath, truth);
    }

    /// <summary>
    /// Writes the events file (gzip-compressed when <see cref="GeneratorOptions.Gzip"/>) and the catalog CSV to the given
    /// streams, which stay open. The ground truth names the files as <see cref="Generate(GeneratorOptions, string)"/> would.
    /// </summary>
    public static GroundTruth Generate(GeneratorOptions options, Stream events, Stream catalog)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(catalog);
        options.ThrowIfInvalid();

        // Separate streams: the world (catalog, users, sessions) does not change when only the bad share changes.
        var world = new Random(options.Seed);
        var defects = new Random(unchecked((options.Seed * 31) + 0x5bd1e995));

        var shop = ShopCatalog.Build(world, options.EffectiveCatalogSize);
        shop.WriteCsv(catalog);
        catalog.Flush();

        var badRows = options.Events == 0 ? 0 : Math.Min(options.Events - 1, (int)Math.Round(options.Events * options.BadShare));
        var goodRows = options.Events - badRows;
        var users = new List<UserProfile>();
        var userCount = Math.Clamp(goodRows / 40, 20, 250_000);
        for (var i = 0; i < userCount; i++)
        {
            users.Add(UserProfile.Create(world, i));
        }

        var noisySessions = new List<string>();
        EventFileWriter writer;
        int sessions;
        using (var gzip = options.Gzip ? new GZipStream(events, CompressionLevel.Optimal, leaveOpen: true) : null)
        {
            var plan = new BadRowPlan(defects, options.Format, options.Events, badRows);
            writer = new EventFileWriter(gzip ?? events, options.Format, shop, users, options.Start, plan, defects);
            sessions = Simulate(options, world, shop, users, goodRows, writer, noisySessions);
            writer.Finish();
        }

        events.Flush();
        var counts = new Dictionary<string, int>();
        foreach (var reason in ReasonCodes.All)
        {
            counts[reason.ToWireName()] = 0;
        }

        foreach (var bad in writer.BadRows)
        {
            counts[bad.Reason]++;
        }

        return new GroundTruth
        {
            Seed = options.Seed,
            Format = options.Format == EventFileFormat.Csv ? "csv" : "jsonl",
            Gzip = options.Gzip,
            Start = TimestampText.Format(options.Start, TimeSpan.Zero),
            Events = EventsFileName(options),
            Catalog = CatalogFileName,
            EventRows = writer.RowsWritten,
            GoodRows = goodRows,
            CatalogRows = shop.Items.Count,
            Sessions = sessions,
            Users = users.Count,
            BadRows = writer.BadRows,
            NoisySessions = noisySessions,
            CountsByReason = counts,
        };
    }

    /// <summary>
    /// Runs sessions with start times spread over the span in proportion to events produced, and releases events in time
    /// order: an event is written once no later session can start before it.
    /// </summary>
    private static int Simulate(
        GeneratorOptions options, Random random, ShopCatalog shop, List<UserProfile> users, int goodRows, EventFileWriter writer, List<string> noisySessions)
    {
        var simulator = new SessionSimulator(random, shop);
        var pending = new PriorityQueue<SimulatedEvent, (long TimeMs, long Sequence)>();
        var buffer = new List<SimulatedEvent>(64);
        var spanMs = options.Days * 86_400_000L;
        long sequence = 0;
        var produced = 0;
        var session = 0;
        while (produced < goodRows)
        {
            var startMs = (long)(spanMs * ((double)produced / goodRows));
            while (pending.TryPeek(out var next, out var key) && key.TimeMs <= startMs)
            {
                pending.Dequeue();
                writer.WriteGood(next);
            }

            var user = users[random.NextSkewed(users.Count, 1.5)];
            var noisy = random.Chance(options.NoisyShare);
            buffer.Clear();
            simulator.Simulate(session, startMs, user, noisy, buffer);
            var take = Math.Min(buffer.Count, goodRows - produced);
            for (var i = 0; i < take; i++)
            {
                pending.Enqueue(buffer[i], (buffer[i].TimeMs, sequence++));
            }

            if (noisy && take > 0)
            {
                noisySessions.Add(EventFileWriter.SessionId(session));
            }

            produced += take;
            session++;
        }

        while (pending.TryDequeue(out var next, out _))
        {
            writer.WriteGood(next);
        }

        return session;
    }
}
