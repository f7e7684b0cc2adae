using Parquet;
using S = ServerlessLineage.Core.Datasets.DatasetSchemas.Catalog;

namespace ServerlessLineage.Core.Datasets;

/// <summary>The validated catalog as a Parquet dataset (what the examples step reads).</summary>
public static class CatalogDataset
{
    public static async Task WriteAsync(IReadOnlyList<CatalogItem> items, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        await using var writer = await ParquetWriter.CreateAsync(S.Schema, output, ParquetFormat.Options, cancellationToken: cancellationToken);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(S.ItemId, items.Select(i => i.ItemId).ToArray());
        await group.WriteAsync(S.Title, items.Select(i => i.Title).ToArray());
        await group.WriteAsync(S.Category, items.Select(i => i.Category).ToArray());
        await group.WriteAsync(S.Brand, items.Select(i => i.Brand!).ToArray());
        await group.WriteAsync<double>(S.Price, items.Select(i => i.Price).ToArray().AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync(S.Description, items.Select(i => i.Description!).ToArray());
        await group.WriteAsync<long>(S.SourceLine, items.Select(i => i.SourceLine).ToArray().AsMemory(), cancellationToken: cancellationToken);
    }

    public static async Task<List<CatalogItem>> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: cancellationToken);
        var items = new List<CatalogItem>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var ids = new string[n];
            var titles = new string[n];
            var categories = new string[n];
            var brands = new string[n];
            var prices = new double?[n];
            var descriptions = new string[n];
            var lines = new long[n];
            await group.ReadAsync(S.ItemId, ids.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.Title, titles.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.Category, categories.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(S.Brand, brands.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync<double>(S.Price, prices.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync(S.Description, descriptions.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync<long>(S.SourceLine, lines.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                items.Add(new CatalogItem(ids[i], titles[i], categories[i], brands[i], prices[i], descriptions[i], lines[i]));
            }
        }

        return items;
    }
}
