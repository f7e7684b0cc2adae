namespace ServerlessLineage.LocalHost.Http;

/// <summary>Where the local HTTP API listens and how much it accepts.</summary>
public sealed record LocalApiServerOptions
{
    /// <summary>The TCP port on 127.0.0.1; 0 lets the OS choose a free one (<see cref="LocalApiServer.BaseAddress"/> reports it).</summary>
    public int Port { get; init; }

    /// <summary>Largest request body accepted (an uploaded events file); larger requests are answered 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>How long stopping waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
