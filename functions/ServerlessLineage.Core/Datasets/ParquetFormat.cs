using Parquet;

namespace ServerlessLineage.Core.Datasets;

/// <summary>Parquet settings shared by every dataset the pipeline writes; fixed so the same rows give the same bytes.</summary>
internal static class ParquetFormat
{
    public static ParquetOptions Options => new()
    {
        CompressionMethod = CompressionMethod.Snappy,
    };
}
