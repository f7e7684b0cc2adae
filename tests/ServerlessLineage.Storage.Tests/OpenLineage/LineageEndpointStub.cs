using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessLineage.Storage.Tests.OpenLineage;

/// <summary>
/// A real OpenLineage-like HTTP endpoint on 127.0.0.1 (System.Net.HttpListener on a free port). Each request is recorded and
/// answered with the status the responder returns for it (1-based request number); a responder may also wait, to force a
/// client timeout, until the stub is disposed.
/// </summary>
internal sealed class LineageEndpointStub : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<int, Task<int>> _respond;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _count;

    private LineageEndpointStub(HttpListener listener, Uri baseUri, Func<int, Task<int>> respond)
    {
        _listener = listener;
        _respond = respond;
        BaseUri = baseUri;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The base URL to configure as the OpenLineage endpoint.</summary>
    public Uri BaseUri { get; }

    /// <summary>Every request received, in arrival order.</summary>
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Cancelled when the stub is disposed; for responders that hold a request open.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Starts a stub answering every request with <paramref name="status"/>.</summary>
    public static LineageEndpointStub Start(int status) => Start(_ => Task.FromResult(status));

    /// <summary>Starts a stub whose answer to request n is <paramref name="respond"/>(n).</summary>
    public static LineageEndpointStub Start(Func<int, Task<int>> respond)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The OS picks a free port; the listener then binds it. Another process may grab it in between, hence the retry.
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();

            var baseUri = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(baseUri.AbsoluteUri);
            try
            {
                listener.Start();
                return new LineageEndpointStub(listener, baseUri, respond);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
            // The listener closed under a pending accept.
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            // Each request on its own task, so one held open does not block the client's retry.
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var number = Interlocked.Increment(ref _count);
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            Requests.Enqueue(new ReceivedRequest(
                number,
                context.Request.HttpMethod,
                context.Request.Url!.AbsolutePath,
                context.Request.Headers["Authorization"],
                context.Request.ContentType,
                await reader.ReadToEndAsync()));
        }

        try
        {
            context.Response.StatusCode = await _respond(number);
            context.Response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The client gave up on this request or the stub is stopping.
            context.Response.Abort();
        }
    }
}

/// <summary>One request as the stub saw it.</summary>
internal sealed record ReceivedRequest(int Number, string Method, string Path, string? Authorization, string? ContentType, string Body);
