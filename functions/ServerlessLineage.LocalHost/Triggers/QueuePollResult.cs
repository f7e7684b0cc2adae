namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>What one receive did: messages received, handled and deleted, failed (left for redelivery), moved to poison.</summary>
public sealed record QueuePollResult(int Received, int Completed, int Failed, int Poisoned);
