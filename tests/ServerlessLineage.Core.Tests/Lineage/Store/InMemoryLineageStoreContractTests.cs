using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Core.Tests.Lineage.Store;

/// <summary>The store contract against the in-memory reference implementation.</summary>
public sealed class InMemoryLineageStoreContractTests : LineageStoreContractTests
{
    protected override Task<ILineageStore> CreateStoreAsync() => Task.FromResult<ILineageStore>(new InMemoryLineageStore());
}
