using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Functions.Hosting;
using ServerlessLineage.Pipeline.Http;

namespace ServerlessLineage.Functions.Tests;

/// <summary>The exception middleware: HTTP failures become a 500 problem without internals; other triggers' failures propagate.</summary>
public sealed class ExceptionMiddlewareTests
{
    private const string Internals = "AccountKey=c2VjcmV0; at TableLineageStore.WriteAsync";

    [Fact(Timeout = 10_000)]
    public async Task HttpFunction_Throws_AnswersA500ProblemWithoutInternals_AndLogsTheException()
    {
        var logger = new ListLogger<ExceptionMiddleware>();
        var http = new DefaultHttpContext();
        http.Request.Path = "/api/runs";
        var body = new MemoryStream();
        http.Response.Body = body;
        var context = new TestFunctionContext("HttpApi", "httpTrigger", http);

        await new ExceptionMiddleware(logger).Invoke(context, _ => throw new InvalidOperationException(Internals));

        Assert.Equal(500, http.Response.StatusCode);
        Assert.Equal(ApiResponse.ProblemContentType, http.Response.ContentType);
        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(ProblemTypes.Internal, (string?)problem["type"]);
        Assert.Equal(500, (int?)problem["status"]);
        Assert.Equal("/api/runs", (string?)problem["instance"]);
        Assert.Contains(context.InvocationId, (string?)problem["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", text, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), text, StringComparison.Ordinal);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("queueTrigger")]
    [InlineData("blobTrigger")]
    [InlineData("activityTrigger")]
    [InlineData("orchestrationTrigger")]
    public async Task OtherTrigger_Throws_IsLoggedAndRethrown(string triggerType)
    {
        var logger = new ListLogger<ExceptionMiddleware>();
        var context = new TestFunctionContext("Fn", triggerType, httpContext: null);
        var thrown = new IOException("storage hiccup");

        var caught = await Assert.ThrowsAsync<IOException>(() => new ExceptionMiddleware(logger).Invoke(context, _ => throw thrown));

        Assert.Same(thrown, caught);
        Assert.Same(thrown, Assert.Single(logger.Entries).Exception);
    }

    [Fact(Timeout = 10_000)]
    public async Task HttpFunction_Succeeds_PassesThroughUntouched()
    {
        var logger = new ListLogger<ExceptionMiddleware>();
        var http = new DefaultHttpContext();
        var context = new TestFunctionContext("HttpApi", "httpTrigger", http);
        var called = false;

        await new ExceptionMiddleware(logger).Invoke(context, _ =>
        {
            called = true;
            http.Response.StatusCode = 202;
            return Task.CompletedTask;
        });

        Assert.True(called);
        Assert.Equal(202, http.Response.StatusCode);
        Assert.Empty(logger.Entries);
    }

    /// <summary>A function invocation as the worker hands it to middleware; the HTTP context sits where the ASP.NET Core integration puts it.</summary>
    private sealed class TestFunctionContext : FunctionContext
    {
        /// <summary>The <see cref="Items"/> key under which the ASP.NET Core integration stores the request's <see cref="HttpContext"/>.</summary>
        private const string HttpContextKey = "HttpRequestContext";

        public TestFunctionContext(string name, string triggerType, HttpContext? httpContext)
        {
            FunctionDefinition = new TestFunctionDefinition(name, triggerType);
            if (httpContext is not null)
            {
                Items[HttpContextKey] = httpContext;
            }
        }

        public override string InvocationId { get; } = Guid.NewGuid().ToString("N");

        public override string FunctionId => FunctionDefinition.Id;

        public override TraceContext TraceContext => throw new NotSupportedException();

        public override BindingContext BindingContext => throw new NotSupportedException();

        public override RetryContext RetryContext => throw new NotSupportedException();

        public override IServiceProvider InstanceServices { get; set; } = null!;

        public override FunctionDefinition FunctionDefinition { get; }

        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

        public override IInvocationFeatures Features => throw new NotSupportedException();
    }

    private sealed class TestFunctionDefinition(string name, string triggerType) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => "ServerlessLineage.Functions.dll";

        public override string EntryPoint => "Test." + name;

        public override string Id => name + "-id";

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } =
            ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", new TestBinding("trigger", triggerType));

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class TestBinding(string name, string type) : BindingMetadata
    {
        public override string Name => name;

        public override string Type => type;

        public override BindingDirection Direction => BindingDirection.In;
    }
}

/// <summary>Records log entries (level, exception) so tests can check what was logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, Exception? Exception, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Entries.Add((logLevel, exception, formatter(state, exception)));
    }
}
