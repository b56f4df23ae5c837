using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Progress;

/// <summary>How requests are tracked for progress (lighttpd2's <c>progress.*</c> settings, and more).</summary>
public sealed class ProgressOptions
{
    private TimeSpan _ttl = TimeSpan.FromSeconds(30);
    private int _capacity = InMemoryProgressStore.DefaultCapacity;
    private TimeProvider _timeProvider = TimeProvider.System;
    private TimeSpan _eventInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Least time between two <c>102 Processing</c> responses sent to a tracked upload whose client asked
    /// for them with <c>Prefer: processing</c> (default 100 ms); the last state is always sent.
    /// </summary>
    public TimeSpan InterimInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Least time between two Server-Sent Events to one watcher of <see cref="ProgressTracker.ShowEventsAsync"/>
    /// (default 100 ms): changes in between are coalesced into the latest state, which is always sent.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan EventInterval
    {
        get => _eventInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _eventInterval = value;
        }
    }

    /// <summary>
    /// The request methods that are tracked, compared case-sensitively as HTTP methods are
    /// (<c>progress.methods</c>); default <c>POST</c>. Add <c>PUT</c> for uploads by PUT, or <c>GET</c> to
    /// track downloads.
    /// </summary>
    public ISet<string> Methods { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "POST" };

    /// <summary>How long a finished request stays visible (<c>progress.ttl</c>); default 30 seconds, zero or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan Ttl
    {
        get => _ttl;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _ttl = value;
        }
    }

    /// <summary>
    /// The most entries, running and finished, in the default in-memory store; default 10,000. Ignored
    /// when <see cref="Store"/> is set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _capacity = value;
        }
    }

    /// <summary>
    /// Whether registrations, lookups (<see cref="ProgressTracker.ShowAsync"/>) and event streams opened are
    /// logged at debug level (<c>progress.debug</c>, event ids 201, 204, 205); default off.
    /// </summary>
    public bool Debug { get; set; }

    /// <summary>
    /// Where tracking logs go (category <c>Moonbridge.Net.Progress</c>): refused ids and a full table as
    /// warnings, and with <see cref="Debug"/>, registrations and lookups at debug level; null for no logging.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Whether a tracked request without an id gets a server-minted one (<see cref="ProgressId.NewId"/>);
    /// the handler finds it as the <see cref="ProgressEntry.Id"/> that <see cref="ProgressTracker.TrackAsync"/>
    /// returns and tells the client (e.g. in an <c>X-Progress-Id</c> response header; the tracker sends
    /// none itself). Default off, as in lighttpd2, where such a request is not tracked.
    /// </summary>
    public bool MintIds { get; set; }

    /// <summary>The table behind tracking; null (the default) for an <see cref="InMemoryProgressStore"/> of <see cref="Capacity"/> entries.</summary>
    public IProgressStore? Store { get; set; }

    /// <summary>The clock for expiry times; default <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Whether requests with <paramref name="method"/> are tracked.</summary>
    /// <param name="method">The request method, e.g. <c>"POST"</c>.</param>
    /// <returns>True when the method is in <see cref="Methods"/>.</returns>
    public bool Tracks(string method) => Methods.Contains(method);

    /// <summary>The store to use: <see cref="Store"/>, or a new in-memory one built from these options. Call once.</summary>
    internal IProgressStore CreateStore() => Store ?? new InMemoryProgressStore(Capacity, TimeProvider);
}
