using StackExchange.Redis;

namespace Moonbridge.Net.Redis;

/// <summary>Opens the Redis connection the stores share.</summary>
public static class RedisConnection
{
    /// <summary>
    /// Connects to Redis and checks that it answers, so that a server fails at start with one clear error instead
    /// of running without its shared state. Once connected, the connection reconnects by itself after an outage,
    /// trying every half second.
    /// </summary>
    /// <param name="configuration">
    /// <c>host:port</c>, or any StackExchange.Redis configuration string (<c>host:port,password=...,ssl=true</c>).
    /// </param>
    /// <param name="connectTimeout">How long to try; 5 s when null.</param>
    /// <returns>The connection; dispose it after the stores.</returns>
    /// <exception cref="RedisConnectionException">Redis could not be reached; the message names the endpoint and the reason.</exception>
    public static async Task<IConnectionMultiplexer> ConnectAsync(string configuration, TimeSpan? connectTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ConfigurationOptions options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = (int)(connectTimeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
        options.ConnectRetry = 1;

        // After an outage, try again every half second rather than backing off to seconds: requests that need Redis
        // are refused (503, untracked) until it is back.
        options.ReconnectRetryPolicy = new LinearRetry(500);
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            // The client's own message suggests retrying for ever in the background, which is not what a server
            // starting up wants: name the endpoint and stop.
            throw new RedisConnectionException(e.FailureType, CommandFlags.None,
                $"Redis at {configuration} could not be reached within {options.ConnectTimeout} ms ({e.FailureType}). Start Redis or correct the address; the server needs it for its shared state.",
                e, CommandStatus.Unknown);
        }
    }
}
