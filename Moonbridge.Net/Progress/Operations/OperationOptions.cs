using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>Settings of an <see cref="OperationManager"/>.</summary>
public sealed class OperationOptions
{
    /// <summary>
    /// The path prefix of status documents, with leading and trailing slash; a document is
    /// <c>{PathPrefix}{id}</c>, the id 32 hex digits (128 random bits). Default <c>/operations/</c>.
    /// </summary>
    public string PathPrefix { get; set; } = "/operations/";

    /// <summary>
    /// How long a request with <c>Prefer: respond-async</c> but no <c>wait</c> waits before the 202:
    /// zero by default, i.e. the client asked for an asynchronous answer, so it gets one at once unless the
    /// operation has already finished.
    /// </summary>
    public TimeSpan DefaultWait { get; set; } = TimeSpan.Zero;

    /// <summary>The longest <c>wait</c> honoured; longer ones are cut to it. Default 5 minutes.</summary>
    public TimeSpan MaximumWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two <c>102 Processing</c> responses to one request. Default 100 ms.</summary>
    public TimeSpan InterimInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a completed operation's status document stays. Default 24 hours ("another business day").</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The longest an operation may run: then its token is cancelled and, unless it returns a result of its
    /// own, it completes with <c>500</c>. Default 1 hour; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.
    /// </summary>
    public TimeSpan MaximumDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The <c>Retry-After</c> of the <c>503</c> that refuses an operation when the store is full. Default 5 seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The capacity of the default in-memory store.</summary>
    public int Capacity { get; set; } = InMemoryOperationStore.DefaultCapacity;

    /// <summary>The store; null for a new <see cref="InMemoryOperationStore"/>.</summary>
    public IOperationStore? Store { get; set; }

    /// <summary>The clock of expiry and waits; null for <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where failed operations are logged; null for nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
