namespace ServerlessLineage.Functions.Hosting;

/// <summary>
/// Names of the app settings the Functions host itself reads (the pipeline's own settings are the option sections bound in
/// <see cref="FunctionsServices"/>). Every one is listed in <c>local.settings.sample.json</c> and the README's configuration table.
/// </summary>
public static class FunctionSettings
{
    /// <summary>
    /// Connection of the blob trigger on <c>raw-events</c> and the queue trigger on <c>training-results</c>: the data storage
    /// account. A connection string in <c>PipelineStorage</c>, or with a managed identity <c>PipelineStorage__blobServiceUri</c>
    /// and <c>PipelineStorage__queueServiceUri</c>.
    /// </summary>
    public const string StorageConnection = "PipelineStorage";

    /// <summary>The durable task hub's name (<c>host.json</c> reads it as <c>%TaskHubName%</c>); distinct per slot or app.</summary>
    public const string TaskHubName = "TaskHubName";
}
