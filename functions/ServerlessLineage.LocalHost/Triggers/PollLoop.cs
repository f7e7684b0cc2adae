using Azure;

namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>The loop the trigger stand-ins share: poll, log a storage failure and try again later, wait, until cancelled.</summary>
internal static class PollLoop
{
    /// <summary>
    /// Calls <paramref name="pollOnce"/> until <paramref name="cancellationToken"/> is cancelled (then returns). A poll that
    /// returns true is followed at once by the next (there may be more work); otherwise the loop waits <paramref name="interval"/>.
    /// Storage that is unreachable or refusing (after the SDK's own retries, which end in an AggregateException) is reported to
    /// <paramref name="onStorageFailure"/> and tried again after the interval; any other exception ends the loop.
    /// </summary>
    public static async Task RunAsync(
        Func<CancellationToken, Task<bool>> pollOnce, TimeSpan interval, Action<Exception> onStorageFailure, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var again = false;
            try
            {
                again = await pollOnce(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
            {
                onStorageFailure(e);
            }

            if (again)
            {
                continue;
            }

            try
            {
                await Task.Delay(interval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
