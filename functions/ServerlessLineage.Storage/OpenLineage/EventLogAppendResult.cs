namespace ServerlessLineage.Storage.OpenLineage;

/// <summary>
/// What an append did: <paramref name="Appended"/> events were new and logged, <paramref name="AlreadyLogged"/> were there
/// before (or repeated in the input), and <paramref name="Enqueued"/> are the outbox entries of the new ones, ready to deliver.
/// </summary>
public sealed record EventLogAppendResult(int Appended, int AlreadyLogged, IReadOnlyList<OutboxEntry> Enqueued);
