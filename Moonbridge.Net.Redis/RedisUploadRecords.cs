using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http;
using Moonbridge.Net.Redis.Internal;
using Moonbridge.Net.Uploads;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis;

/// <summary>
/// The records of resumable uploads (offset, length, metadata, final response) in Redis, for every server instance
/// that shares the upload directory (<see cref="ResumableUploadOptions.Records"/>): an upload created on one instance
/// is found, resumed and completed on another, and no process reads another's files for it. The uploaded bytes stay
/// in the shared directory.
/// </summary>
/// <remarks>
/// <para>
/// A record is written only after the bytes it counts are on disk, and as a compare-and-set: never over one that is
/// ahead of it (a newer request's, on any instance). It expires in Redis with its upload; every instance's sweep then
/// finds the upload's id in an index by expiry and removes the data file.
/// </para>
/// <para>
/// The records are the uploads: run Redis with persistence (<c>appendonly yes</c>) when uploads must survive a Redis
/// restart. An append in progress through a restart that lost them writes its upload's record again at its next
/// checkpoint; an upload idle meanwhile is gone (its data file is swept as an orphan). While Redis does not answer,
/// requests that need a record are refused with <c>503</c>, and appends in progress keep their bytes and record them
/// once it answers again.
/// </para>
/// </remarks>
public sealed class RedisUploadRecords : IUploadRecords
{
    private const int ListPage = 1000;

    private readonly IDatabase _database;
    private readonly RedisStoreOptions _options;
    private readonly RedisHealth _health;
    private readonly string _prefix;
    private readonly RedisKey _expiryIndex;

    /// <summary>Keeps the records on a connection.</summary>
    /// <param name="redis">The connection (see <see cref="RedisConnection.ConnectAsync"/>); not disposed by this object.</param>
    /// <param name="options">Key prefix, timeout, clock and logging; defaults when null.</param>
    public RedisUploadRecords(IConnectionMultiplexer redis, RedisStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _options = options ?? new RedisStoreOptions();
        _database = redis.GetDatabase();
        _health = new RedisHealth(_options.LoggerFactory.CreateLogger<RedisUploadRecords>(), "upload records", _options, RedisHealth.UploadsRefused);
        _prefix = _options.KeyPrefix + "upload:";
        _expiryIndex = _options.KeyPrefix + "upload-expiry";
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisValue record = await CallAsync(_database.HashGetAsync(RecordKey(id), "d"), cancellationToken).ConfigureAwait(false);
        return record.IsNull ? null : (byte[]?)record;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> WriteAsync(UploadRecordDocument record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record.Id);
        RedisResult written = await CallAsync(_database.ScriptEvaluateAsync(UploadRecordScripts.Write, [RecordKey(record.Id), _expiryIndex],
            [record.Id, record.Epoch, record.Offset, record.ExpiresAt.ToUnixTimeMilliseconds(), record.Json]), cancellationToken).ConfigureAwait(false);
        return (int)written == 1;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisResult deleted = await CallAsync(_database.ScriptEvaluateAsync(UploadRecordScripts.Delete, [RecordKey(id), _expiryIndex], [id]), cancellationToken).ConfigureAwait(false);
        return (int)deleted == 1;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListAsync(DateTimeOffset? expiredBy = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        double until = expiredBy is { } time ? time.ToUnixTimeMilliseconds() : double.PositiveInfinity;

        // In pages from the last expiry seen, not by position: the caller removes ids as it goes, which would shift
        // positions. Ids sharing the page's last expiry are remembered so that the next page skips them.
        double from = double.NegativeInfinity;
        var seenAtFrom = new HashSet<string>(StringComparer.Ordinal);
        int take = ListPage;
        while (true)
        {
            SortedSetEntry[] page = await CallAsync(_database.SortedSetRangeByScoreWithScoresAsync(_expiryIndex, from, until, take: take), cancellationToken).ConfigureAwait(false);
            bool fresh = false;
            foreach (SortedSetEntry entry in page)
            {
                string id = entry.Element.ToString();
                if (entry.Score == from && seenAtFrom.Contains(id))
                {
                    continue;
                }

                fresh = true;
                yield return id;
            }

            if (page.Length < take)
            {
                yield break;
            }

            double last = page[^1].Score;
            if (last != from)
            {
                from = last;
                seenAtFrom.Clear();
            }

            foreach (SortedSetEntry entry in page)
            {
                if (entry.Score == last)
                {
                    seenAtFrom.Add(entry.Element.ToString());
                }
            }

            // A page of nothing new: more ids share one expiry than a page holds.
            take = fresh ? ListPage : take * 2;
        }
    }

    private RedisKey RecordKey(string id) => _prefix + id + ":record";

    /// <summary>A bounded call: a Redis that does not answer is a 503 for the request (logged once per outage).</summary>
    private async Task<T> CallAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        try
        {
            T result = await call.WaitAsync(_options.Timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            _health.Succeeded();
            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            _health.Failed(e);
            throw new HttpStatusException(503, "The upload records (Redis) are not answering; try again shortly.");
        }
    }
}
