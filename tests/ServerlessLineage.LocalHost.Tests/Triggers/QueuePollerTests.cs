using Azure.Storage.Queues;
using ServerlessLineage.LocalHost.Triggers;
using ServerlessLineage.Storage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.LocalHost.Tests.Triggers;

[Collection(TestCollections.Azurite)]
public sealed class QueuePollerTests(AzuriteFixture azurite)
{
    private const int Timeout = 60_000;

    private readonly QueueServiceClient _queues = StorageClientFactory.CreateQueueServiceClient(new StorageOptions { ConnectionString = azurite.ConnectionString });
    private readonly string _queueName = AzuriteFixture.UniqueContainerName("q");
    private readonly List<string> _received = [];

    [Fact(Timeout = Timeout)]
    public async Task PollOnceAsync_HandlerSucceeds_PassesTextAndDeletesMessage()
    {
        await SendAsync("{\"jobId\":\"j-1\"}");
        var poller = new QueuePoller(_queues, _queueName, Record);

        var result = await poller.PollOnceAsync();

        Assert.Equal(new QueuePollResult(1, 1, 0, 0), result);
        Assert.Equal(["{\"jobId\":\"j-1\"}"], _received);
        Assert.Equal(0, await CountAsync(_queueName));
    }

    [Fact(Timeout = Timeout)]
    public async Task PollOnceAsync_HandlerFailsOnce_MessageRedeliveredAndThenDeleted()
    {
        await SendAsync("retry me");
        var attempts = 0;
        var poller = new QueuePoller(_queues, _queueName, (text, ct) =>
            ++attempts == 1 ? throw new InvalidOperationException("transient") : Record(text, ct));

        var failed = await poller.PollOnceAsync();
        var retried = await poller.PollOnceAsync();

        Assert.Equal(new QueuePollResult(1, 0, 1, 0), failed);
        Assert.Equal(new QueuePollResult(1, 1, 0, 0), retried);
        Assert.Equal(["retry me"], _received);
        Assert.Equal(0, await CountAsync(_queueName));
    }

    [Fact(Timeout = Timeout)]
    public async Task PollOnceAsync_HandlerAlwaysFails_MovedToPoisonAfterFiveDeliveries()
    {
        await SendAsync("bad message");
        var attempts = 0;
        var poller = new QueuePoller(_queues, _queueName, (_, _) =>
        {
            attempts++;
            throw new InvalidOperationException("permanent");
        });

        var results = new List<QueuePollResult>();
        for (var i = 0; i < 6; i++)
        {
            results.Add(await poller.PollOnceAsync());
        }

        Assert.Equal(5, attempts);
        Assert.Equal(4, results.Sum(r => r.Failed));
        Assert.Equal(1, results.Sum(r => r.Poisoned));
        Assert.Equal(0, await CountAsync(_queueName));
        var poison = (await _queues.GetQueueClient(poller.PoisonQueueName).ReceiveMessagesAsync(maxMessages: 32)).Value;
        Assert.Equal(["bad message"], poison.Select(m => m.Body.ToString()));
        Assert.Equal(_queueName + "-poison", poller.PoisonQueueName);
    }

    [Fact(Timeout = Timeout)]
    public async Task PollOnceAsync_MessageDeliveredTooOftenWithoutVerdict_PoisonedWithoutCallingHandler()
    {
        await SendAsync("crashed host");
        var queue = _queues.GetQueueClient(_queueName);
        // Receive it as often as a host that died mid-handling would have, letting it reappear each time.
        for (var i = 0; i < 2; i++)
        {
            var message = (await queue.ReceiveMessageAsync()).Value;
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        var poller = new QueuePoller(_queues, _queueName, Record, new QueuePollerOptions { MaxDequeueCount = 2 });
        var result = await poller.PollOnceAsync();

        Assert.Equal(new QueuePollResult(1, 0, 0, 1), result);
        Assert.Empty(_received);
        Assert.Equal(1, await CountAsync(poller.PoisonQueueName));
    }

    private async Task SendAsync(string text)
    {
        var queue = _queues.GetQueueClient(_queueName);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(text);
    }

    private async Task<int> CountAsync(string queueName) =>
        (await _queues.GetQueueClient(queueName).PeekMessagesAsync(maxMessages: 32)).Value.Length;

    private Task Record(string text, CancellationToken cancellationToken)
    {
        _received.Add(text);
        return Task.CompletedTask;
    }
}
