namespace ServerlessLineage.Testing;

/// <summary>
/// Names of shared xunit collections. <see cref="Azurite"/> shares one <see cref="AzuriteFixture"/> per test assembly. xunit only
/// discovers collection definitions in the test assembly itself, so each Azurite-backed test project declares, once:
/// <code>
/// [CollectionDefinition(TestCollections.Azurite)]
/// public sealed class AzuriteCollectionDefinition : ICollectionFixture&lt;AzuriteFixture&gt;;
/// </code>
/// and its test classes carry <c>[Collection(TestCollections.Azurite)]</c> and take the fixture in their constructor.
/// </summary>
public static class TestCollections
{
    /// <summary>Tests that share one Azurite.</summary>
    public const string Azurite = "Azurite";
}
