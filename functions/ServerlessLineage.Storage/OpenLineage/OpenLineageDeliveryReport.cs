namespace ServerlessLineage.Storage.OpenLineage;

/// <summary>
/// The outcome of a delivery pass: <paramref name="Delivered"/> events were accepted by the endpoint and left the outbox;
/// <paramref name="Left"/> are still in the outbox (the endpoint was unavailable, rejected them, or forwarding is disabled), of
/// which <paramref name="Rejected"/> were refused with a status that retrying cannot fix (a 4xx other than 408 and 429).
/// </summary>
public sealed record OpenLineageDeliveryReport(int Delivered, int Left, int Rejected)
{
    /// <summary>Nothing to deliver.</summary>
    public static OpenLineageDeliveryReport Empty { get; } = new(0, 0, 0);
}
