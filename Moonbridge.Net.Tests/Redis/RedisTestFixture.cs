namespace Moonbridge.Net.Tests.Redis;

/// <summary>A fixture with a redis-server of its own for all its tests, and a fresh key prefix per test.</summary>
[NonParallelizable]
public abstract class RedisTestFixture
{
    private RedisServerProcess? _redis;

    internal RedisServerProcess Redis => _redis ?? throw new InvalidOperationException("Redis has not started.");

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        _redis = await RedisServerProcess.StartAsync(limit.Token);
    }

    [OneTimeTearDown]
    public void StopRedis() => _redis?.Dispose();

    /// <summary>A key prefix no other test uses, so tests never see each other's records.</summary>
    protected static string Prefix() => $"test-{Guid.NewGuid():N}:";
}
