using System.Text;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Cleaning;

public sealed class PseudonymizerTests
{
    private static readonly byte[] SecretA = Encoding.UTF8.GetBytes("secret-A-0123456789");
    private static readonly byte[] SecretB = Encoding.UTF8.GetBytes("secret-B-0123456789");

    [Fact]
    public void Pseudonymize_AnyUser_Is32LowerHexCharacters()
    {
        var subject = new Pseudonymizer(SecretA).Pseudonymize("user-1");

        Assert.Equal(Pseudonymizer.SubjectLength, subject.Length);
        Assert.Matches("^[0-9a-f]{32}$", subject);
    }

    [Fact]
    public void Pseudonymize_SameSecretNewInstance_IsStable() =>
        Assert.Equal(new Pseudonymizer(SecretA).Pseudonymize("user-1"), new Pseudonymizer(SecretA).Pseudonymize("user-1"));

    [Fact]
    public void Pseudonymize_IsHmacSha256Truncated()
    {
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(SecretA, "user-1"u8)[..16]);

        Assert.Equal(expected, new Pseudonymizer(SecretA).Pseudonymize("user-1"));
    }

    [Fact]
    public void Pseudonymize_DifferentSecret_GivesDifferentSubject() =>
        Assert.NotEqual(new Pseudonymizer(SecretA).Pseudonymize("user-1"), new Pseudonymizer(SecretB).Pseudonymize("user-1"));

    [Fact]
    public void Pseudonymize_DifferentUsers_GiveDifferentSubjects()
    {
        var pseudonymizer = new Pseudonymizer(SecretA);

        Assert.NotEqual(pseudonymizer.Pseudonymize("user-1"), pseudonymizer.Pseudonymize("user-2"));
    }

    [Fact]
    public void Pseudonymize_CachedSecondCall_EqualsFirst()
    {
        var pseudonymizer = new Pseudonymizer(SecretA);
        var first = pseudonymizer.Pseudonymize("ü-user".AsSpan());

        Assert.Equal(first, pseudonymizer.Pseudonymize("ü-user"));
    }

    [Fact]
    public void KeyId_DependsOnTheSecretAndIsNotTheSecret()
    {
        var a = new Pseudonymizer(SecretA).KeyId;

        Assert.Equal(a, new Pseudonymizer(SecretA).KeyId);
        Assert.NotEqual(a, new Pseudonymizer(SecretB).KeyId);
        Assert.Matches("^[0-9a-f]{8}$", a);
    }

    [Fact]
    public void Constructor_SecretShorterThan16Bytes_Throws() =>
        Assert.Throws<ArgumentException>(() => new Pseudonymizer(new byte[15]));

    [Fact(Timeout = 30_000)]
    public async Task CleanAsync_RawUserId_NeverAppearsInCleanedDataset()
    {
        const string user = "alice.rawuser@example.com";
        var rows = Enumerable.Range(0, 50).Select(i => new EventRow { EventId = $"e{i}", UserId = user });

        var run = await CleaningRun.CsvAsync(rows);

        Assert.Equal(50, run.Metrics.RowsClean);
        Assert.Equal(-1, run.Parquet.AsSpan().IndexOf(Encoding.UTF8.GetBytes(user)));
        Assert.Equal(-1, run.Parquet.AsSpan().IndexOf("rawuser"u8));
        var subjects = (await run.ReadCleanedAsync()).Subject;
        Assert.All(subjects, s => Assert.Equal(new Pseudonymizer(CleaningRun.Secret).Pseudonymize(user), s));
    }

    [Fact(Timeout = 60_000)]
    public async Task Pseudonymize_FromManyThreadsAtOnce_GivesTheSingleThreadedSubjects()
    {
        // Parallel cleaning shards and concurrent HTTP requests share one instance.
        var ids = Enumerable.Range(0, 100_000).Select(i => "user-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var reference = new Pseudonymizer(CleaningRun.Secret);
        var expected = ids.Select(reference.Pseudonymize).ToArray();
        var shared = new Pseudonymizer(CleaningRun.Secret);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            ids.Select((id, i) => (i, shared.Pseudonymize(ids[(i + (t * 24_989)) % ids.Length]))).ToArray())));

        foreach (var (result, t) in results.Select((r, t) => (r, t)))
        {
            Assert.All(result, r => Assert.Equal(expected[(r.Item1 + (t * 24_989)) % ids.Length], r.Item2));
        }
    }
}
