using System.Globalization;
using Moonbridge.Net.Redis.Internal;
using Moonbridge.Net.Uploads;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis;

/// <summary>
/// The open uploads of each client across every instance, for <see cref="ResumableUploadOptions.MaxOpenUploadsPerClient"/>.
/// A count is a limit, not a record: when Redis does not answer, the store counts the uploads it knows itself, and an
/// upload closed meanwhile stays counted here until it expires.
/// </summary>
public sealed partial class RedisUploadClaims
{
    /// <summary>How long the count remembers an upload that has no expiry of its own and was never closed (its instance died).</summary>
    private static readonly TimeSpan s_openWithoutExpiry = TimeSpan.FromDays(30);

    /// <inheritdoc/>
    public async ValueTask<int?> CountOpenAsync(string client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        RedisResult? result = await TryRunAsync(OpenUploadScripts.Count, [OpenKey(client)],
            [_options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()], cancellationToken).ConfigureAwait(false);
        return result is null ? null : (int)result;
    }

    /// <inheritdoc/>
    public async ValueTask OpenedAsync(string id, string client, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(client);
        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        string score = expiresAt is { } expires ? expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "+inf";
        TimeSpan keep = expiresAt is { } until && until > now ? until - now + TimeSpan.FromDays(1) : s_openWithoutExpiry;
        await TryRunAsync(OpenUploadScripts.Opened, [OpenKey(client), ClientKey(id)],
            [id, score, client, Milliseconds(keep)], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ClosedAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await TryRunAsync(OpenUploadScripts.Closed, [ClientKey(id)], [id, OpenKeyPrefix], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Beside the claims' <c>upload:</c> keys, not under them: a client's name never meets an upload id.</summary>
    private string OpenKeyPrefix => _options.KeyPrefix + "upload-open:";

    private RedisKey OpenKey(string client) => OpenKeyPrefix + client;

    private RedisKey ClientKey(string id) => _options.KeyPrefix + "upload-client:" + id;

    /// <summary>The script's result; null when Redis did not answer (logged once per outage).</summary>
    private async Task<RedisResult?> TryRunAsync(string script, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            RedisResult result = await _database.ScriptEvaluateAsync(script, keys, arguments)
                .WaitAsync(_options.Timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            _health.Succeeded();
            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            _health.Failed(e);
            return null;
        }
    }
}
