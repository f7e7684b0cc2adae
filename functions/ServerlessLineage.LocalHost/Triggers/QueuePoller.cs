using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Storage;

namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>
/// Stands in for the Functions queue trigger in the local host, with its semantics: a message is handed to the handler as text
/// and deleted when the handler succeeds; when the handler throws, the message becomes visible again (after
/// <see cref="QueuePollerOptions.RetryDelay"/>); after <see cref="QueuePollerOptions.MaxDequeueCount"/> deliveries it moves to
/// <c>&lt;queue&gt;-poison</c>. Use a queue service client from <see cref="StorageClientFactory.CreateQueueServiceClient(StorageOptions, Azure.Core.TokenCredential?)"/> (Base64
/// messages, as the Functions trigger and the GPU worker write them). Delivery is at least once: the handler must be idempotent.
/// </summary>
public sealed class QueuePoller
{
    /// <summary>The suffix of the queue that receives messages that failed too often (the Functions convention).</summary>
    public const string PoisonSuffix = "-poison";

    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly Func<string, CancellationToken, Task> _handler;
    private readonly QueuePollerOptions _options;
    private readonly ILogger _logger;
    private bool _created;

    public QueuePoller(
        QueueServiceClient queues,
        string queueName,
        Func<string, CancellationToken, Task> handler,
        QueuePollerOptions? options = null,
        ILogger<QueuePoller>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        ArgumentNullException.ThrowIfNull(handler);
        _options = options ?? new QueuePollerOptions();
        _options.EnsureValid();
        _queue = queues.GetQueueClient(queueName);
        _poison = queues.GetQueueClient(queueName + PoisonSuffix);
        _handler = handler;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The queue read.</summary>
    public string QueueName => _queue.Name;

    /// <summary>Where messages go after too many failed deliveries.</summary>
    public string PoisonQueueName => _poison.Name;

    /// <summary>
    /// Receives until <paramref name="cancellationToken"/> is cancelled (then returns); pauses only when the queue was empty. A
    /// failed receive is logged and retried.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        PollLoop.RunAsync(
            async token => (await PollOnceAsync(token)).Received > 0,
            _options.PollInterval,
            e => _logger.QueuePollFailed(e, QueueName, (long)_options.PollInterval.TotalMilliseconds),
            cancellationToken);

    /// <summary>Receives one batch and handles its messages one after another.</summary>
    public async Task<QueuePollResult> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        await EnsureCreatedAsync(cancellationToken);
        var messages = (await _queue.ReceiveMessagesAsync(_options.BatchSize, _options.VisibilityTimeout, cancellationToken)).Value;
        int completed = 0, failed = 0, poisoned = 0;
        foreach (var message in messages)
        {
            // Delivered more often than allowed without a verdict (a host that died while handling it): poison it unhandled.
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, cancellationToken);
                poisoned++;
                continue;
            }

            try
            {
                await _handler(message.Body.ToString(), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _logger.MessageFailed(e, QueueName, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
                if (message.DequeueCount >= _options.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(message, cancellationToken);
                    poisoned++;
                }
                else
                {
                    await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _options.RetryDelay, cancellationToken: cancellationToken);
                    failed++;
                }

                continue;
            }

            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            _logger.MessageHandled(QueueName, message.MessageId, message.DequeueCount);
            completed++;
        }

        return new QueuePollResult(messages.Length, completed, failed, poisoned);
    }

    private async Task MoveToPoisonAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        // Copy first, then delete: a crash in between leaves a duplicate in poison rather than losing the message.
        await _poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await _poison.SendMessageAsync(message.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: cancellationToken);
        await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        _logger.MessagePoisoned(QueueName, message.MessageId, PoisonQueueName, message.DequeueCount);
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        _created = true;
    }
}
