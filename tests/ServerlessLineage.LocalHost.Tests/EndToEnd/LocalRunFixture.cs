using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.LocalHost.Commands;
using ServerlessLineage.Storage.Emulator;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.LocalHost.Tests.EndToEnd;

/// <summary>
/// One completed <c>lineage run</c> on small generated data, shared by the assertions of <see cref="LocalRunTests"/>: a private
/// Azurite (the run writes the fixed container, table and task hub names, which must not meet other test projects' data on a
/// shared emulator), a temporary state folder (pseudonymisation key, work files, logs) in <c>SERVERLESSLINEAGE_STATE</c> for
/// this process and the CLI's, and the run itself through the repository's <c>./lineage</c> script, whose build holds the GPU
/// worker with its libtorch natives (this test project's output leaves them out).
/// </summary>
public sealed class LocalRunFixture : IAsyncLifetime
{
    /// <summary>Generator settings: small, seeded, with a few rows of every bad kind.</summary>
    public static readonly GeneratorOptions Generator = new() { Events = 1000, Seed = 17, BadShare = 0.03 };

    private static readonly TimeSpan AzuriteStartTimeout = TimeSpan.FromSeconds(60);
    private string? _root;
    private string? _previousState;
    private AzuriteProcess? _azurite;
    private GenerationSummary? _data;
    private CliResult? _firstRun;
    private TableLineageStore? _store;
    private Pseudonymizer? _pseudonymizer;

    /// <summary>Connection string of the private Azurite.</summary>
    public string ConnectionString => _azurite?.ConnectionString ?? throw NotInitialized();

    /// <summary>The state folder the CLI uses (<c>SERVERLESSLINEAGE_STATE</c>).</summary>
    public string StateDirectory => Path.Combine(Root, "state");

    /// <summary>A scratch folder inside the fixture's temporary folder.</summary>
    public string ScratchDirectory => Path.Combine(Root, "scratch");

    /// <summary>The generated events and catalog and their ground truth.</summary>
    public GenerationSummary Data => _data ?? throw NotInitialized();

    /// <summary>The first <c>lineage run --json</c> on <see cref="Data"/>.</summary>
    public CliResult FirstRun => _firstRun ?? throw NotInitialized();

    /// <summary>The run summary <see cref="FirstRun"/> printed.</summary>
    public JsonElement Summary => JsonDocument.Parse(FirstRun.Output).RootElement;

    /// <summary>The lineage store the run wrote (default table names).</summary>
    public TableLineageStore Store => _store ?? throw NotInitialized();

    /// <summary>A blob client of the private Azurite.</summary>
    public BlobServiceClient BlobServiceClient() => new(ConnectionString);

    /// <summary>The pseudonymiser with the key the run generated in the state folder.</summary>
    public Pseudonymizer Pseudonymizer => _pseudonymizer ?? throw NotInitialized();

    private string Root => _root ?? throw NotInitialized();

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("sl-run-e2e-").FullName;
        _previousState = Environment.GetEnvironmentVariable(LocalSecret.StateDirectoryVariable);
        Environment.SetEnvironmentVariable(LocalSecret.StateDirectoryVariable, StateDirectory);
        _azurite = await AzuriteProcess.StartAsync(AzuriteProcess.LauncherPath(RepositoryRoot.Find()), AzuriteStartTimeout);
        _data = ShopDataGenerator.Generate(Generator, Path.Combine(Root, "data"));
        _firstRun = await RunAsync(Data.EventsPath, Data.CatalogPath);
        _pseudonymizer = new Pseudonymizer(LocalSecret.Load()); // the key the run generated in the state folder
        _store = new TableLineageStore(new TableServiceClient(ConnectionString), new LineageTableOptions());
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Environment.SetEnvironmentVariable(LocalSecret.StateDirectoryVariable, _previousState);
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Cleaning shard size of the runs: small, so that the ~90 KB events file is cleaned as several shards.</summary>
    public const int ShardBytes = 32_768;

    /// <summary><c>./lineage run --json --epochs 1</c> on the private Azurite, as a user runs it (with small cleaning shards).</summary>
    public Task<CliResult> RunAsync(string events, string catalog) =>
        RunScriptAsync(
            "run", "--events", events, "--catalog", catalog, "--json", "--epochs", "1", "--timeout", "00:05:00", "--storage", ConnectionString,
            "--shard-bytes", ShardBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A query command (<c>status</c>, <c>trace</c>, <c>explain</c>, <c>subject</c>) in-process against the private Azurite, with <c>--json</c>.</summary>
    public async Task<CliResult> QueryAsync(string command, params string[] args)
    {
        var query = QueryCommands.Create().Single(c => c.Name == command);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await query.Parse([.. args, "--json", "--storage", ConnectionString])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private async Task<CliResult> RunScriptAsync(params string[] args)
    {
        var root = RepositoryRoot.Find();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(root, "lineage"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[LocalSecret.StateDirectoryVariable] = StateDirectory;
        start.Environment.Remove(LocalSecret.EnvironmentVariable);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await output, await error);
    }

    private static InvalidOperationException NotInitialized() =>
        new("The local run fixture is not initialised; use it through xunit (IClassFixture).");
}

/// <summary>What one CLI invocation returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);
