using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http;
using Moonbridge.Net.Redis.Internal;
using Moonbridge.Net.Uploads;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis;

/// <summary>
/// "Newest request wins" for resumable uploads across every server instance that shares an upload directory and
/// this Redis (<see cref="ResumableUploadOptions.Claims"/>): a request on one instance that wants an upload tells the
/// request holding it on another to stop, waits until that one has made its bytes durable and let go (or until its
/// lease ran out because its instance died), and only then touches the upload. Two instances never write one
/// upload at once.
/// </summary>
/// <remarks>
/// <para>
/// A holder renews its lease every third of <see cref="RedisStoreOptions.Lease"/>. When it cannot (Redis down for
/// longer than two thirds of a lease, or another instance took the upload after the lease ran out), it stops as if
/// superseded and records nothing more, so at most the bytes since its last durable point are sent again. A short
/// Redis outage does not stop an upload in progress; after a Redis restart that lost the keys, the holder claims
/// them back unless a newer request came.
/// </para>
/// <para>
/// While Redis does not answer, new requests that would change an upload are refused with <c>503</c>: the
/// coordination cannot be checked, and appending without it could mix two clients' bytes.
/// </para>
/// </remarks>
public sealed partial class RedisUploadClaims : IUploadClaims, IAsyncDisposable
{
    private static readonly TimeSpan s_newestTimeToLive = TimeSpan.FromHours(1);

    /// <summary>How long an upload's last commit is kept after it was made: an upload idle for longer trusts its own record.</summary>
    private static readonly TimeSpan s_commitTimeToLive = TimeSpan.FromDays(2);

    private readonly ConcurrentDictionary<string, Claim> _holders = new(StringComparer.Ordinal);
    private readonly IDatabase _database;
    private readonly ChangeFeed _feed;
    private readonly RedisStoreOptions _options;
    private readonly RedisHealth _health;
    private readonly string _prefix;

    private RedisUploadClaims(IDatabase database, ChangeFeed feed, RedisStoreOptions options, RedisHealth health)
    {
        _database = database;
        _feed = feed;
        _options = options;
        _health = health;
        _prefix = options.KeyPrefix + "upload:";
        feed.Observer = (id, message) =>
        {
            if (message == "s" && _holders.TryGetValue(id, out Claim? holder))
            {
                holder.Supersede();
            }
        };
    }

    /// <summary>Creates the coordination on a connection and subscribes to its channel.</summary>
    /// <param name="redis">The connection (see <see cref="RedisConnection.ConnectAsync"/>); not disposed by this object.</param>
    /// <param name="options">Key prefix, lease, timeout, clock and logging; defaults when null.</param>
    /// <returns>The coordination; dispose it after the uploads service.</returns>
    public static async Task<RedisUploadClaims> CreateAsync(IConnectionMultiplexer redis, RedisStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        options ??= new RedisStoreOptions();
        ChangeFeed feed = await ChangeFeed.StartAsync(redis, options.KeyPrefix + "upload").ConfigureAwait(false);
        var health = new RedisHealth(options.LoggerFactory.CreateLogger<RedisUploadClaims>(), "upload coordination", options, RedisHealth.UploadsRefused);
        return new RedisUploadClaims(redis.GetDatabase(), feed, options, health);
    }

    /// <inheritdoc/>
    public async ValueTask<IUploadClaim> ClaimAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        string ticket = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        RedisKey[] keys = [_prefix + id + ":holder", _prefix + id + ":newest", _prefix + id + ":commit"];

        // Listening before claiming, so that a release between the two is not missed.
        using ChangeFeed.Listener listener = _feed.Listen(id);
        int outcome = await RunAsync(UploadClaimScripts.Claim, keys[..2],
            [ticket, Milliseconds(_options.Lease), _feed.Channel.ToString(), id, Milliseconds(s_newestTimeToLive)], cancellationToken).ConfigureAwait(false);
        while (outcome == 0)
        {
            // Woken by a release or a newer claim; a third of a lease at most, for a holder that died.
            _ = await listener.NextAsync(_options.Lease / 3, cancellationToken).ConfigureAwait(false);
            outcome = await RunAsync(UploadClaimScripts.Retry, keys[..2], [ticket, Milliseconds(_options.Lease)], cancellationToken).ConfigureAwait(false);
        }

        if (outcome < 0)
        {
            throw new UploadSupersededException();
        }

        UploadCommit? committed;
        try
        {
            RedisValue[] last = await _database.HashGetAsync(keys[2], ["e", "o"])
                .WaitAsync(_options.Timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            committed = !last[0].IsNull && !last[1].IsNull && last[0].TryParse(out long epoch) && last[1].TryParse(out long offset) ? new UploadCommit(epoch, offset) : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Claimed, but the commit cannot be read: let go, as for any claim Redis could not answer.
            _health.Failed(e);
            await new Claim(this, id, ticket, keys, null).DisposeAsync().ConfigureAwait(false);
            throw new HttpStatusException(503, "The upload coordination (Redis) is not answering; try again shortly.");
        }

        var claim = new Claim(this, id, ticket, keys, committed);
        if (_holders.TryGetValue(id, out Claim? stale))
        {
            // This instance's earlier holder lost its lease and Redis gave the upload on: it must stop.
            stale.Supersede();
        }

        _holders[id] = claim;
        claim.StartRenewing();
        return claim;
    }

    /// <summary>Stops renewing (the holders' requests stop as superseded) and unsubscribes.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (Claim claim in _holders.Values)
        {
            claim.Supersede();
        }

        await _feed.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<int> RunAsync(string script, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken)
        => await TryRunAsync(script, keys, arguments, cancellationToken).ConfigureAwait(false) is { } result
            ? (int)result
            : throw new HttpStatusException(503, "The upload coordination (Redis) is not answering; try again shortly.");

    private static string Milliseconds(TimeSpan time) => ((long)time.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>One request's hold: renewed in the background until disposed or lost.</summary>
    private sealed class Claim(RedisUploadClaims owner, string id, string ticket, RedisKey[] keys, UploadCommit? committed) : IUploadClaim
    {
        private readonly CancellationTokenSource _superseded = new();
        private readonly CancellationTokenSource _ended = new();
        private long _confirmed = owner._options.TimeProvider.GetTimestamp();
        private Task _renewing = Task.CompletedTask;
        private int _disposed;

        public CancellationToken Superseded => _superseded.Token;

        public UploadCommit? Committed => committed;

        public async ValueTask<bool> CommitAsync(long epoch, long offset, CancellationToken cancellationToken = default)
        {
            if (_superseded.IsCancellationRequested && IsLeaseDoubtful())
            {
                return false;
            }

            try
            {
                RedisResult result = await owner._database.ScriptEvaluateAsync(UploadClaimScripts.Commit, keys,
                    [ticket, epoch, offset, Milliseconds(s_commitTimeToLive), Milliseconds(owner._options.Lease), Milliseconds(s_newestTimeToLive)])
                    .WaitAsync(owner._options.Timeout, owner._options.TimeProvider, cancellationToken).ConfigureAwait(false);
                owner._health.Succeeded();
                if ((int)result != 1)
                {
                    return false;
                }

                Volatile.Write(ref _confirmed, owner._options.TimeProvider.GetTimestamp());
                return true;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Redis cannot record it; nobody can have claimed the upload while this lease still runs, and the next
                // commit records a later offset. A takeover meanwhile goes by the last commit Redis has: behind the
                // store's record, never ahead of the bytes on disk, so at worst the client sends some bytes again.
                owner._health.Failed(e);
                return !IsLeaseDoubtful();
            }
        }

        public async ValueTask<bool> IsHeldAsync(CancellationToken cancellationToken = default)
        {
            if (_superseded.IsCancellationRequested && IsLeaseDoubtful())
            {
                return false;
            }

            try
            {
                // Renewing is asking: it also claims the keys back after a Redis restart that lost them.
                bool held = await RenewAsync(cancellationToken).ConfigureAwait(false);
                owner._health.Succeeded();
                return held;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Redis cannot say; nobody can have claimed the upload while this lease still runs.
                owner._health.Failed(e);
                return !IsLeaseDoubtful();
            }
        }

        public void StartRenewing() => _renewing = Task.Run(RenewLoopAsync);

        public void Supersede()
        {
            try
            {
                _superseded.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already released.
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _ended.CancelAsync().ConfigureAwait(false);
            await _renewing.ConfigureAwait(false);
            owner._holders.TryRemove(new KeyValuePair<string, Claim>(id, this));
            try
            {
                await owner._database.ScriptEvaluateAsync(UploadClaimScripts.Release, [keys[0]], [ticket, owner._feed.Channel.ToString(), id])
                    .WaitAsync(owner._options.Timeout, owner._options.TimeProvider).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The lease runs out by itself; waiting requests retry every third of it.
                owner._health.Failed(e);
            }

            _superseded.Dispose();
            _ended.Dispose();
        }

        /// <summary>True when the last confirmation is older than two thirds of a lease: another instance may soon claim it.</summary>
        private bool IsLeaseDoubtful() => owner._options.TimeProvider.GetElapsedTime(Volatile.Read(ref _confirmed)) >= owner._options.Lease * 2 / 3;

        /// <summary>Extends the lease (or claims the keys back after a Redis restart); false when another request holds the upload.</summary>
        private async Task<bool> RenewAsync(CancellationToken cancellationToken)
        {
            RedisResult renewed = await owner._database.ScriptEvaluateAsync(UploadClaimScripts.Renew, keys[..2],
                [ticket, Milliseconds(owner._options.Lease), Milliseconds(s_newestTimeToLive)])
                .WaitAsync(owner._options.Timeout, owner._options.TimeProvider, cancellationToken).ConfigureAwait(false);
            if ((int)renewed != 1)
            {
                return false;
            }

            Volatile.Write(ref _confirmed, owner._options.TimeProvider.GetTimestamp());
            return true;
        }

        private async Task RenewLoopAsync()
        {
            TimeSpan every = owner._options.Lease / 3;
            try
            {
                while (true)
                {
                    await Task.Delay(every, owner._options.TimeProvider, _ended.Token).ConfigureAwait(false);
                    try
                    {
                        if (!await RenewAsync(_ended.Token).ConfigureAwait(false))
                        {
                            Supersede();
                            return;
                        }

                        owner._health.Succeeded();
                    }
                    catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
                    {
                        owner._health.Failed(e);
                        if (IsLeaseDoubtful())
                        {
                            // Without Redis for most of a lease: stop before another instance could take over.
                            Supersede();
                            return;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (_ended.IsCancellationRequested)
            {
                // Released.
            }
        }
    }
}
