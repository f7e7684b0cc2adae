using System.Diagnostics;
using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>
/// Keeps a received message invisible while its job runs: renews the visibility timeout every renewal interval with the latest
/// pop receipt. When a renewal is refused (the message is gone, or its pop receipt changed because the message became visible
/// and another worker took it), or no renewal succeeded for a whole visibility timeout, the lease is lost and
/// <see cref="Lost"/> is cancelled, so the job stops instead of racing the new owner.
/// </summary>
internal sealed class MessageLease : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly string _messageId;
    private readonly TimeSpan _visibilityTimeout;
    private readonly TimeSpan _renewalInterval;
    private readonly Action<string> _onLost;
    private readonly Action<string> _onRenewalFailed;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private string _popReceipt;
    private Task? _loop;

    private MessageLease(QueueClient queue, string messageId, string popReceipt, TimeSpan visibilityTimeout, TimeSpan renewalInterval,
        Action<string> onLost, Action<string> onRenewalFailed)
    {
        _queue = queue;
        _messageId = messageId;
        _popReceipt = popReceipt;
        _visibilityTimeout = visibilityTimeout;
        _renewalInterval = renewalInterval;
        _onLost = onLost;
        _onRenewalFailed = onRenewalFailed;
    }

    /// <summary>Cancelled when the message can no longer be kept invisible by this worker.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>The pop receipt of the latest successful renewal (the one a delete or update must name).</summary>
    public string PopReceipt
    {
        get
        {
            lock (_gate)
            {
                return _popReceipt;
            }
        }
    }

    /// <summary>Starts renewing; <paramref name="onLost"/> and <paramref name="onRenewalFailed"/> receive the reason for logging.</summary>
    public static MessageLease Start(QueueClient queue, string messageId, string popReceipt, TimeSpan visibilityTimeout, TimeSpan renewalInterval,
        Action<string> onLost, Action<string> onRenewalFailed)
    {
        var lease = new MessageLease(queue, messageId, popReceipt, visibilityTimeout, renewalInterval, onLost, onRenewalFailed);
        lease._loop = Task.Run(lease.RenewLoopAsync);
        return lease;
    }

    /// <summary>
    /// Stops renewing and returns the latest pop receipt. A renewal already sent is awaited, not cancelled: its response carries
    /// the pop receipt that the message now has.
    /// </summary>
    public async Task<string> StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        return PopReceipt;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        var sinceRenewal = Stopwatch.StartNew();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_renewalInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var receipt = await _queue.UpdateMessageAsync(_messageId, PopReceipt, visibilityTimeout: _visibilityTimeout, cancellationToken: CancellationToken.None);
                lock (_gate)
                {
                    _popReceipt = receipt.Value.PopReceipt;
                }

                sinceRenewal.Restart();
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                // 404 MessageNotFound or 400 PopReceiptMismatch: the message was deleted or delivered to someone else.
                await LoseAsync($"HTTP {e.Status} {e.ErrorCode}");
                return;
            }
            catch (Exception e) when (QueueFailures.IsStorageFailure(e))
            {
                if (sinceRenewal.Elapsed >= _visibilityTimeout)
                {
                    await LoseAsync($"no renewal for {sinceRenewal.Elapsed:g}, the visibility timeout; last error: {e.Message}");
                    return;
                }

                _onRenewalFailed(e.Message);
            }
        }
    }

    private async Task LoseAsync(string reason)
    {
        _onLost(reason);
        await _lost.CancelAsync();
    }
}
