using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Functions.Durable;
using ServerlessLineage.Functions.Hosting;
using ServerlessLineage.Functions.Http;
using ServerlessLineage.Functions.Triggers;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Storage.OpenLineage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Functions.Tests;

/// <summary>The app's container from <c>local.settings.sample.json</c>, option validation, and the README's settings table.</summary>
public sealed partial class ConfigurationTests
{
    /// <summary>Documented settings that the sample leaves out on purpose (identity variants of a connection; a default that is best left alone).</summary>
    private static readonly string[] DocumentedOnly =
        [FunctionSettings.StorageConnection + "__blobServiceUri", FunctionSettings.StorageConnection + "__queueServiceUri", "Pipeline__WorkDirectory"];

    [Fact]
    public void SampleSettings_BuildTheContainer_AndEveryFunctionClassResolves()
    {
        using var services = TestServices.Build();

        foreach (var type in new[] { typeof(StorageOptions), typeof(LineageTableOptions), typeof(PipelineOptions), typeof(OpenLineageOptions), typeof(PseudonymisationOptions) })
        {
            // Value runs the validators: a sample that binds to an invalid option throws here, naming the setting.
            Assert.NotNull(OptionsValue(services, type));
        }

        Assert.IsType<PipelineActivities>(services.GetRequiredService<IPipelineActivities>());
        Assert.IsType<TableLineageStore>(services.GetRequiredService<ILineageStore>());
        Assert.Equal("devstoreaccount1", services.GetRequiredService<BlobServiceClient>().AccountName);
        Assert.Equal("lineage", services.GetRequiredService<IOptions<LineageTableOptions>>().Value.TablePrefix);
        Assert.Equal(TimeSpan.FromHours(2), services.GetRequiredService<IOptions<PipelineOptions>>().Value.TrainingTimeout);
        Assert.False(services.GetRequiredService<IOptions<OpenLineageOptions>>().Value.IsEnabled);
        ActivatorUtilities.CreateInstance<PipelineActivityFunctions>(services);
        ActivatorUtilities.CreateInstance<RawEventsBlobTrigger>(services);
        ActivatorUtilities.CreateInstance<TrainingResultTrigger>(services);
        ActivatorUtilities.CreateInstance<HttpApiFunction>(services);
        ActivatorUtilities.CreateInstance<ExceptionMiddleware>(services);
    }

    [Theory]
    [InlineData("Pseudonymisation__Secret", "", "Pseudonymisation:Secret")]
    [InlineData("Pseudonymisation__Secret", "c2hvcnQ=", "Pseudonymisation:Secret")]
    [InlineData("LineageTables__TablePrefix", "bad-prefix", "LineageTables:TablePrefix")]
    [InlineData("Storage__ConnectionString", "", "Storage:ConnectionString")]
    [InlineData("OpenLineage__Endpoint", "ftp://lineage.example", "OpenLineage:Endpoint")]
    [InlineData("Pipeline__Examples__EvalFraction", "1.5", "Pipeline:Examples")]
    public void InvalidSetting_FailsValidation_NamingTheSetting(string key, string value, string named)
    {
        using var services = TestServices.Build(new Dictionary<string, string?> { [key] = value });

        var section = key.Split("__")[0];
        var optionsType = section switch
        {
            "Pseudonymisation" => typeof(PseudonymisationOptions),
            "LineageTables" => typeof(LineageTableOptions),
            "Storage" => typeof(StorageOptions),
            "OpenLineage" => typeof(OpenLineageOptions),
            _ => typeof(PipelineOptions),
        };
        var error = Assert.Throws<OptionsValidationException>(() => OptionsValue(services, optionsType));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PseudonymisationSecret_DecodesTheConfiguredBytes()
    {
        var options = new PseudonymisationOptions { Secret = TestServices.Secret };

        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i), options.SecretBytes());
    }

    [Fact]
    public void ReadmeConfigurationTable_AndSampleSettings_ListTheSameSettings()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "README.md"));
        var start = readme.IndexOf("### Configuration", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '### Configuration' section.");
        var end = readme.IndexOf("\n#", start + 1, StringComparison.Ordinal);
        var documented = SettingRow().Matches(readme[start..(end < 0 ? readme.Length : end)]).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var sample = TestServices.SampleSettings().Keys.ToHashSet(StringComparer.Ordinal);

        Assert.Empty(sample.Except(documented));
        Assert.Empty(documented.Except(sample).Except(DocumentedOnly));
        Assert.Superset(DocumentedOnly.ToHashSet(StringComparer.Ordinal), documented);
    }

    private static object OptionsValue(IServiceProvider services, Type optionsType)
    {
        var options = typeof(IOptions<>).MakeGenericType(optionsType);
        try
        {
            return options.GetProperty(nameof(IOptions<object>.Value))!.GetValue(services.GetRequiredService(options))!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    [GeneratedRegex(@"^\| `([A-Za-z_][A-Za-z0-9_]*)` \|", RegexOptions.Multiline)]
    private static partial Regex SettingRow();
}
