using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessLineage.Functions.Http;
using ServerlessLineage.Pipeline.Http;

namespace ServerlessLineage.Functions.Tests;

/// <summary>HttpRequest -> ApiRequest and ApiResponse -> HttpResponse, and the HTTP function end to end on a DefaultHttpContext.</summary>
public sealed class HttpApiAdapterTests
{
    [Fact(Timeout = 10_000)]
    public async Task ToApiRequest_MapsMethodEscapedPathQueryBodyAndContentType()
    {
        var context = Request("post", "/api/subjects/ann smith%", "?k=5&k=7&empty=&name=a%20b", "text/csv; charset=utf-8", "user_id,item\nu1,i1\n");

        var request = await HttpApiAdapter.ToApiRequestAsync(context.Request);

        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/subjects/ann%20smith%25", request.Path);
        Assert.Equal("5", request.Query["k"]);
        Assert.Equal(string.Empty, request.Query["empty"]);
        Assert.Equal("a b", request.Query["NAME"]);
        Assert.Equal("text/csv; charset=utf-8", request.ContentType);
        Assert.Equal("user_id,item\nu1,i1\n", Encoding.UTF8.GetString(request.Body.Span));
    }

    [Fact(Timeout = 10_000)]
    public async Task ToApiRequest_WithoutBody_HasAnEmptyBodyAndNoContentType()
    {
        var context = Request("get", "/api/lineage", "?nodeId=run%3Aabc", contentType: null, body: null);

        var request = await HttpApiAdapter.ToApiRequestAsync(context.Request);

        Assert.True(request.Body.IsEmpty);
        Assert.Null(request.ContentType);
        Assert.Equal("run:abc", request.Query["nodeId"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ToApiRequest_OverLongBody_IsReadOnlyOnePastTheLimit()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/api/runs";
        var endless = new EndlessStream();
        context.Request.Body = endless;

        var request = await HttpApiAdapter.ToApiRequestAsync(context.Request);

        Assert.Equal(PipelineApi.MaxUploadBytes + 1, request.Body.Length);
        Assert.Equal(PipelineApi.MaxUploadBytes + 1, endless.Position);
    }

    [Fact(Timeout = 10_000)]
    public async Task ApiResponseResult_WritesStatusContentTypeLengthAndBody()
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        var response = ApiResponse.Json(new JsonObject { ["runId"] = "r1" }, HttpStatusCode.Accepted);

        await new ApiResponseResult(response).ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        Assert.Equal(202, context.Response.StatusCode);
        Assert.Equal(ApiResponse.JsonContentType, context.Response.ContentType);
        Assert.Equal(response.Body.Length, context.Response.ContentLength);
        Assert.Equal("{\"runId\":\"r1\"}", Encoding.UTF8.GetString(body.ToArray()));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("get", "/api/runs/not-a-run-id", null, null, HttpStatusCode.BadRequest, ProblemTypes.InvalidParameter)]
    [InlineData("get", "/api/no/such/route", null, null, HttpStatusCode.NotFound, ProblemTypes.NoRoute)]
    [InlineData("post", "/api/lineage", null, null, HttpStatusCode.MethodNotAllowed, ProblemTypes.MethodNotAllowed)]
    [InlineData("post", "/api/runs", "application/json", "{\"container\": \"raw-events\"}", HttpStatusCode.BadRequest, ProblemTypes.InvalidParameter)]
    [InlineData("post", "/api/runs", "application/xml", "<run/>", HttpStatusCode.BadRequest, ProblemTypes.InvalidParameter)]
    public async Task HttpApiFunction_RoutesThroughPipelineApi_AndAnswersProblems(string method, string path, string? contentType, string? body, HttpStatusCode status, string problemType)
    {
        await using var services = TestServices.Build();
        await using var host = await DurableTaskTestHost.StartAsync(_ => { });
        var function = ActivatorUtilities.CreateInstance<HttpApiFunction>(services);
        var context = Request(method, path, string.Empty, contentType, body);
        var responseBody = new MemoryStream();
        context.Response.Body = responseBody;

        var result = await function.Run(context.Request, host.Client, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        Assert.Equal((int)status, context.Response.StatusCode);
        Assert.Equal(ApiResponse.ProblemContentType, context.Response.ContentType);
        var problem = JsonNode.Parse(responseBody.ToArray())!;
        Assert.Equal(problemType, (string?)problem["type"]);
        Assert.Equal(path, (string?)problem["instance"]);
    }

    private static DefaultHttpContext Request(string method, string path, string query, string? contentType, string? body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(string.IsNullOrEmpty(query) ? null : query);
        context.Request.ContentType = contentType;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
        }

        return context;
    }

    /// <summary>A request body that never ends: what a client streaming an oversized upload looks like.</summary>
    private sealed class EndlessStream : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'x');
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
