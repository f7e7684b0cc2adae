using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.OpenLineage;

namespace ServerlessLineage.Storage.OpenLineage;

/// <summary>One event waiting in the outbox: its blob, its identity and the event itself.</summary>
public sealed record OutboxEntry(string BlobName, OpenLineageEventIdentity Identity, JsonObject Event);
