using System.Collections.Concurrent;
using System.Threading.Channels;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// One pub/sub subscription per store and instance: every change of a record is published once on the store's
/// channel as <c>id</c>, a newline and the record's new state (empty when it was removed), and handed here to the
/// readers waiting for that id. Readers never poll Redis for changes; they read once when they start waiting.
/// </summary>
internal sealed class ChangeFeed : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, List<Listener>> _listeners = new(StringComparer.Ordinal);
    private readonly ISubscriber _subscriber;
    private readonly RedisChannel _channel;

    private ChangeFeed(ISubscriber subscriber, RedisChannel channel)
    {
        _subscriber = subscriber;
        _channel = channel;
    }

    public RedisChannel Channel => _channel;

    /// <summary>Told of every message on the channel (from any instance): the id and the state (empty: removed).</summary>
    public Action<string, string>? Observer { get; set; }

    public static async Task<ChangeFeed> StartAsync(IConnectionMultiplexer redis, string channel)
    {
        var feed = new ChangeFeed(redis.GetSubscriber(), RedisChannel.Literal(channel));
        await feed._subscriber.SubscribeAsync(feed._channel, (_, message) => feed.Dispatch(message)).ConfigureAwait(false);
        return feed;
    }

    /// <summary>Starts listening for changes of <paramref name="id"/>; dispose the listener to stop.</summary>
    public Listener Listen(string id)
    {
        var listener = new Listener(this, id);
        _listeners.AddOrUpdate(id, _ => [listener], (_, list) =>
        {
            lock (list)
            {
                list.Add(listener);
            }

            return list;
        });
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _subscriber.UnsubscribeAsync(_channel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            // Redis or the connection is gone; there is nothing to unsubscribe from.
        }
    }

    private void Dispatch(RedisValue message)
    {
        string? text = message;
        int newline = text?.IndexOf('\n', StringComparison.Ordinal) ?? -1;
        if (newline <= 0)
        {
            return;
        }

        string id = text![..newline];
        string state = text[(newline + 1)..];
        Observer?.Invoke(id, state);

        if (!_listeners.TryGetValue(id, out List<Listener>? list))
        {
            return;
        }

        lock (list)
        {
            foreach (Listener listener in list)
            {
                listener.Offer(state);
            }
        }
    }

    private void Remove(Listener listener)
    {
        if (!_listeners.TryGetValue(listener.Id, out List<Listener>? list))
        {
            return;
        }

        lock (list)
        {
            list.Remove(listener);
            if (list.Count == 0)
            {
                _listeners.TryRemove(new KeyValuePair<string, List<Listener>>(listener.Id, list));
            }
        }
    }

    /// <summary>One reader's wait for one id: keeps only the newest state published since it last looked.</summary>
    internal sealed class Listener : IDisposable
    {
        private readonly ChangeFeed _feed;
        private readonly Channel<string> _states = System.Threading.Channels.Channel.CreateBounded<string>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        public Listener(ChangeFeed feed, string id)
        {
            _feed = feed;
            Id = id;
        }

        public string Id { get; }

        /// <summary>The next published state (empty: removed); null when <paramref name="timeout"/> passed first.</summary>
        public async ValueTask<string?> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                return await _states.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        public void Dispose() => _feed.Remove(this);

        internal void Offer(string state) => _states.Writer.TryWrite(state);
    }
}
