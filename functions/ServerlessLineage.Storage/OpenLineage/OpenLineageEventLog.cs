using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Storage.Blobs;

namespace ServerlessLineage.Storage.OpenLineage;

/// <summary>
/// The OpenLineage events of each orchestration run as JSON lines in the <c>lineage-events</c> container
/// (<c>runs/&lt;rootRunId&gt;.jsonl</c>), plus an outbox of events not yet delivered to an OpenLineage endpoint
/// (<c>outbox/&lt;runId&gt;/&lt;eventType&gt;-&lt;runId&gt;.json</c>, deleted on delivery). Appending is idempotent: an event
/// whose identity (run id + event type) is already logged is skipped, so re-running an activity never duplicates a line.
/// </summary>
public sealed class OpenLineageEventLog
{
    /// <summary>Folder of the per-run event logs.</summary>
    public const string RunsFolder = "runs/";

    /// <summary>Folder of events waiting for delivery.</summary>
    public const string OutboxFolder = "outbox/";

    /// <summary>How often an append re-reads the log after losing a race with a concurrent writer.</summary>
    private const int MaxWriteAttempts = 8;

    private readonly BlobContainerClient _container;
    private readonly ILogger _logger;
    private volatile bool _containerEnsured;

    /// <summary>Creates a log over <paramref name="client"/>; the container name is overridable for tests.</summary>
    public OpenLineageEventLog(BlobServiceClient client, string containerName = ContainerNames.LineageEvents, ILogger<OpenLineageEventLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        _container = client.GetBlobContainerClient(containerName);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The container holding logs and outbox.</summary>
    public string ContainerName => _container.Name;

    /// <summary>The blob of a root run's event log.</summary>
    public static string LogBlobName(Guid rootRunId) => $"{RunsFolder}{rootRunId:D}.jsonl";

    /// <summary>The outbox blob of one event.</summary>
    public static string OutboxBlobName(OpenLineageEventIdentity identity) =>
        $"{OutboxFolder}{identity.RunId:D}/{identity.EventType}-{identity.RunId:D}.json";

    /// <summary>Creates the container if it is missing.</summary>
    public async Task EnsureContainerAsync(CancellationToken cancellationToken = default)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _containerEnsured = true;
    }

    /// <summary>
    /// Appends the events of <paramref name="rootRunId"/>'s tree that are not logged yet, in the given order, and (with
    /// <paramref name="enqueue"/>, the default) puts each of them in the outbox. Events already logged, by identity, are left as
    /// they are even if their content differs now. Safe against concurrent appenders (ETag-checked writes, re-read on conflict).
    /// </summary>
    public async Task<EventLogAppendResult> AppendAsync(
        Guid rootRunId, IReadOnlyList<JsonObject> events, bool enqueue = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var identified = events.Select(e => (Identity: OpenLineageEventIdentity.Of(e), Event: e)).ToList();
        if (!_containerEnsured)
        {
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        }

        var blob = _container.GetBlobClient(LogBlobName(rootRunId));

        for (var attempt = 1; ; attempt++)
        {
            var (text, etag) = await ReadTextAsync(blob, cancellationToken).ConfigureAwait(false);
            var logged = OpenLineageEvents.ParseJsonLines(text).Select(OpenLineageEventIdentity.Of).ToHashSet();
            var fresh = identified.Where(e => logged.Add(e.Identity)).ToList();
            if (fresh.Count == 0)
            {
                return new EventLogAppendResult(0, events.Count, []);
            }

            // The outbox is written before the log: a crash in between leaves an event queued and not logged, and the retried
            // append logs it; the other order could log an event that is never delivered.
            var enqueued = new List<OutboxEntry>();
            if (enqueue)
            {
                foreach (var (identity, runEvent) in fresh)
                {
                    enqueued.Add(await PutInOutboxAsync(identity, runEvent, cancellationToken).ConfigureAwait(false));
                }
            }

            var content = (text.Length == 0 || text.EndsWith('\n') ? text : text + "\n") + OpenLineageEvents.ToJsonLines(fresh.Select(e => e.Event));
            var conditions = etag is { } match ? new BlobRequestConditions { IfMatch = match } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                await blob.UploadAsync(
                    BinaryData.FromString(content),
                    new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = OpenLineageEvents.JsonLinesMediaType } },
                    cancellationToken).ConfigureAwait(false);
                return new EventLogAppendResult(fresh.Count, events.Count - fresh.Count, enqueued);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxWriteAttempts)
            {
                // Another writer got there first; read its version and append to that.
            }
        }
    }

    /// <summary>The logged events of a root run, in the order they were appended; empty when none are logged.</summary>
    public async Task<IReadOnlyList<JsonObject>> ReadAsync(Guid rootRunId, CancellationToken cancellationToken = default)
    {
        var (text, _) = await ReadTextAsync(_container.GetBlobClient(LogBlobName(rootRunId)), cancellationToken).ConfigureAwait(false);
        return OpenLineageEvents.ParseJsonLines(text);
    }

    /// <summary>Puts one event in the outbox (overwriting the same event), e.g. to send it again.</summary>
    public async Task<OutboxEntry> PutInOutboxAsync(OpenLineageEventIdentity identity, JsonObject runEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        var name = OutboxBlobName(identity);
        await _container.GetBlobClient(name).UploadAsync(
            BinaryData.FromString(OpenLineageEvents.Serialize(runEvent)),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = OpenLineageEvents.MediaType } },
            cancellationToken).ConfigureAwait(false);
        return new OutboxEntry(name, identity, runEvent);
    }

    /// <summary>
    /// Every event in the outbox, in delivery order: by event time, a run's START before its other events. Blobs that are not
    /// an event are logged and skipped (left in place for inspection).
    /// </summary>
    public async Task<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(CancellationToken cancellationToken = default)
    {
        var entries = new List<OutboxEntry>();
        if (!(await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return entries;
        }

        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = OutboxFolder }, cancellationToken).ConfigureAwait(false))
        {
            var (text, etag) = await ReadTextAsync(_container.GetBlobClient(item.Name), cancellationToken).ConfigureAwait(false);
            if (etag is null)
            {
                continue; // Delivered and removed since the listing.
            }

            try
            {
                var runEvent = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("Not a JSON object.");
                entries.Add(new OutboxEntry(item.Name, OpenLineageEventIdentity.Of(runEvent), runEvent));
            }
            catch (JsonException e)
            {
                _logger.OutboxEntryUnreadable(item.Name, ContainerName, e.Message);
            }
        }

        return [.. entries.OrderBy(e => EventTime(e.Event)).ThenBy(e => e.Identity.EventType == OpenLineageEvents.Start ? 0 : 1).ThenBy(e => e.BlobName, StringComparer.Ordinal)];
    }

    /// <summary>Removes a delivered event from the outbox; an entry already gone is fine.</summary>
    public async Task RemoveFromOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _container.GetBlobClient(entry.BlobName).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static DateTimeOffset EventTime(JsonObject runEvent) =>
        runEvent["eventTime"] is JsonValue value && value.TryGetValue<string>(out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : DateTimeOffset.MaxValue;

    private static async Task<(string Text, ETag? ETag)> ReadTextAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var result = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return (result.Content.ToString(), result.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (string.Empty, null);
        }
    }
}
