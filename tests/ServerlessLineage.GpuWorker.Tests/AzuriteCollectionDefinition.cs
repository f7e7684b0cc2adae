using ServerlessLineage.Testing;

namespace ServerlessLineage.GpuWorker.Tests;

/// <summary>One Azurite for every test class of this assembly.</summary>
[CollectionDefinition(TestCollections.Azurite)]
public sealed class AzuriteCollectionDefinition : ICollectionFixture<AzuriteFixture>;
