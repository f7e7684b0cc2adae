using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Core.Lineage.OpenLineage;

namespace ServerlessLineage.Storage.OpenLineage;

/// <summary>
/// Posts outbox events to an OpenLineage HTTP endpoint (<c>POST &lt;base&gt;/api/v1/lineage</c>) and removes each from the
/// outbox once accepted. Lineage forwarding must never fail a pipeline run, so delivery problems are logged and reported, never
/// thrown: 5xx, 408, 429, timeouts and connection failures are retried with exponential backoff and jitter; any other 4xx is not
/// (the event itself is wrong) and stays in the outbox. Only the caller's own cancellation ends a call with an exception.
/// </summary>
public sealed class OpenLineageForwarder
{
    private const int MaxLoggedResponseLength = 500;

    private readonly HttpClient _http;
    private readonly OpenLineageEventLog _eventLog;
    private readonly OpenLineageOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Uri? _lineageUri;

    /// <summary>Creates a forwarder; throws <see cref="InvalidOperationException"/> for invalid <paramref name="options"/>.</summary>
    public OpenLineageForwarder(
        HttpClient httpClient,
        OpenLineageEventLog eventLog,
        OpenLineageOptions options,
        ILogger<OpenLineageForwarder>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(eventLog);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        _http = httpClient;
        _eventLog = eventLog;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _lineageUri = options.LineageUri;
    }

    private enum Outcome
    {
        Delivered,
        Rejected,
        Transient,
    }

    /// <summary>Whether an endpoint is configured.</summary>
    public bool IsEnabled => _lineageUri is not null;

    /// <summary>
    /// Delivers <paramref name="entries"/> in order (e.g. <see cref="EventLogAppendResult.Enqueued"/>). After an event exhausts its
    /// attempts the endpoint is considered down and the rest are left for replay rather than each waiting out its own retries.
    /// </summary>
    public async Task<OpenLineageDeliveryReport> DeliverAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return OpenLineageDeliveryReport.Empty;
        }

        if (_lineageUri is not { } endpoint)
        {
            _logger.ForwardingDisabled(entries.Count);
            return new OpenLineageDeliveryReport(0, entries.Count, 0);
        }

        int delivered = 0, rejected = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var outcome = await DeliverOneAsync(entries[i], endpoint, cancellationToken).ConfigureAwait(false);
            if (outcome == Outcome.Delivered)
            {
                delivered++;
            }
            else if (outcome == Outcome.Rejected)
            {
                rejected++;
            }
            else
            {
                if (i + 1 < entries.Count)
                {
                    _logger.DeliveryStopped(endpoint, entries.Count - i - 1);
                }

                break;
            }
        }

        return new OpenLineageDeliveryReport(delivered, entries.Count - delivered, rejected);
    }

    /// <summary>Re-sends everything in the outbox, oldest event first.</summary>
    public async Task<OpenLineageDeliveryReport> ReplayOutboxAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<OutboxEntry> entries;
        try
        {
            entries = await _eventLog.ReadOutboxAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            _logger.OutboxUnreadable(_eventLog.ContainerName, e.Message);
            return OpenLineageDeliveryReport.Empty;
        }

        return await DeliverAsync(entries, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Outcome> DeliverOneAsync(OutboxEntry entry, Uri endpoint, CancellationToken cancellationToken)
    {
        var body = OpenLineageEvents.Serialize(entry.Event);
        var (runId, eventType) = (entry.Identity.RunId, entry.Identity.EventType);
        for (var attempt = 1; ; attempt++)
        {
            var result = await SendAsync(endpoint, body, cancellationToken).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case Outcome.Delivered:
                    _logger.EventDelivered(eventType, runId, endpoint, attempt);
                    await RemoveAsync(entry, cancellationToken).ConfigureAwait(false);
                    return result.Outcome;
                case Outcome.Rejected:
                    _logger.EventRejected(eventType, runId, endpoint, result.Status, result.Detail);
                    return result.Outcome;
            }

            if (attempt >= _options.MaxAttempts)
            {
                _logger.DeliveryGaveUp(eventType, runId, attempt, result.Detail);
                return result.Outcome;
            }

            var delay = Backoff(attempt, result.RetryAfter);
            _logger.DeliveryRetrying(eventType, runId, attempt, _options.MaxAttempts, result.Detail, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One POST and what came of it.</summary>
    private async Task<AttemptResult> SendAsync(Uri endpoint, string body, CancellationToken cancellationToken)
    {
        using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptTimeout.CancelAfter(_options.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, OpenLineageEvents.MediaType),
        };
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new AttemptResult(Outcome.Delivered, status, string.Empty, null);
            }

            if (IsTransient(response.StatusCode))
            {
                return new AttemptResult(Outcome.Transient, status, $"HTTP {status}", RetryAfter(response.Headers.RetryAfter));
            }

            var excerpt = await ReadExcerptAsync(response, attemptTimeout.Token).ConfigureAwait(false);
            return new AttemptResult(Outcome.Rejected, status, excerpt, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(Outcome.Transient, 0, $"no response within {_options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s", null);
        }
        catch (HttpRequestException e)
        {
            return new AttemptResult(Outcome.Transient, 0, e.Message, null);
        }
    }

    /// <summary>An attempt's outcome, HTTP status (0 without a response), detail for the log, and a server's Retry-After.</summary>
    private readonly record struct AttemptResult(Outcome Outcome, int Status, string Detail, TimeSpan? RetryAfter);

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static async Task<string> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length <= MaxLoggedResponseLength ? text : text[..MaxLoggedResponseLength] + "...";
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return string.Empty;
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _time.GetUtcNow(),
        _ => null,
    };

    /// <summary>Base * 2^(attempt-1), capped, then "equal jitter" (half fixed, half random) so retrying clients spread out.</summary>
    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = _options.BaseBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _options.MaxBackoff.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter needs spread, not unpredictability.
        var jittered = (capped / 2) + (Random.Shared.NextDouble() * capped / 2);
#pragma warning restore CA5394
        var delay = TimeSpan.FromMilliseconds(jittered);
        return retryAfter is { } wait && wait > delay ? (wait < _options.MaxBackoff ? wait : _options.MaxBackoff) : delay;
    }

    private async Task RemoveAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await _eventLog.RemoveFromOutboxAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            _logger.OutboxRemoveFailed(entry.Identity.EventType, entry.Identity.RunId, e.Message);
        }
    }
}
