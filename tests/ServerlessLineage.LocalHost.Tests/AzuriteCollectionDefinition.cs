using ServerlessLineage.Testing;

namespace ServerlessLineage.LocalHost.Tests;

/// <summary>One Azurite for the whole test assembly (see <see cref="TestCollections"/>).</summary>
[CollectionDefinition(TestCollections.Azurite)]
public sealed class AzuriteCollectionDefinition : ICollectionFixture<AzuriteFixture>;
