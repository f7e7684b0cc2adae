using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Pipeline.Http;

namespace ServerlessLineage.LocalHost.Http;

/// <summary>
/// The local host's HTTP server: Kestrel on 127.0.0.1 only, with no routes of its own. Every request becomes an
/// <see cref="ApiRequest"/> (method, path, query, body, content type) for one handler, normally <see cref="LineageApi.HandleAsync"/>
/// or a composition around it, and its <see cref="ApiResponse"/> is copied back. So routes, validation and 404/405 problems are
/// the same code the Functions host runs. An exception from the handler is answered as a 500 problem and logged.
/// </summary>
public sealed class LocalApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private LocalApiServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:43117/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts listening and returns once requests are accepted.</summary>
    public static async Task<LocalApiServer> StartAsync(
        LocalApiServerOptions options,
        Func<ApiRequest, CancellationToken, Task<ApiResponse>> handler,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "The port must be from 0 to 65535.");
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var logger = loggerFactory.CreateLogger<LocalApiServer>();
        app.Run(context => ServeAsync(context, handler, logger));
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The local HTTP API started but reports no listening address.");
        var baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        logger.Listening(baseAddress);
        return new LocalApiServer(app, baseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Builds the host-agnostic request from Kestrel's: the path as sent (still percent-encoded), every query pair.</summary>
    internal static async Task<ApiRequest> ToApiRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var path = request.PathBase.Add(request.Path).ToUriComponent();
        var query = request.QueryString.HasValue ? ApiRequest.ParseQuery(request.QueryString.Value![1..]) : [];
        var body = ReadOnlyMemory<byte>.Empty;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var buffer = new MemoryStream(request.ContentLength is { } length and <= int.MaxValue ? (int)length : 0);
            await request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }

        return new ApiRequest(request.Method, path, query) { Body = body, ContentType = request.ContentType };
    }

    private static async Task ServeAsync(HttpContext context, Func<ApiRequest, CancellationToken, Task<ApiResponse>> handler, ILogger logger)
    {
        var cancellationToken = context.RequestAborted;
        ApiResponse response;
        try
        {
            var request = await ToApiRequestAsync(context.Request, cancellationToken);
            response = await handler(request, cancellationToken);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            // Kestrel's own verdicts on the request (body too large, malformed framing) keep their status; "about:blank" is RFC
            // 7807's type for a problem that the status code says all about.
            response = ApiResponse.Problem(new ApiProblem("about:blank", ((HttpStatusCode)e.StatusCode).ToString(), (HttpStatusCode)e.StatusCode, e.Message)
            {
                Instance = context.Request.Path,
            });
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The host's one exception boundary (as the Functions middleware is): log the cause, answer a problem, never a torn response.
            logger.HandlerFailed(e, context.Request.Method, context.Request.Path);
            response = ApiResponse.Problem(new ApiProblem(ProblemTypes.Internal, "Internal error", HttpStatusCode.InternalServerError,
                "The request failed on the server; the local host's log has the cause.") { Instance = context.Request.Path });
        }

        context.Response.StatusCode = (int)response.Status;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        await context.Response.Body.WriteAsync(response.Body, cancellationToken);
    }
}
