using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ServerlessLineage.Functions.Hosting;

// ASP.NET Core integration first: its proxying middleware must run outside ours so that our 500 problem reaches the client.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ExceptionMiddleware>();
builder.Services.AddServerlessLineage(builder.Configuration);
builder.Build().Run();
