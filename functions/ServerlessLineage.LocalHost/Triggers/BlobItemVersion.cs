namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>
/// One version of a blob, as the blob poller delivers it: what an Event Grid <c>BlobCreated</c> event names. The ETag is the
/// version: uploading the same bytes again makes a new ETag and so a new delivery; the handler decides whether that is a new run.
/// </summary>
public sealed record BlobItemVersion(string Container, string Name, string ETag, long Length, DateTimeOffset? LastModified);
