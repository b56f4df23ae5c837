using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Moonbridge.Net.Benchmarks.Http;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO.Internal;
using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Benchmarks.Progress;

/// <summary>
/// What upload progress tracking adds. <b>PerReceive</b>: the connection's receive loop calls
/// <c>SocketConnection.ReceiveObserver</c> after every receive (4 KiB here); untracked it is null,
/// tracked it is the request's counter, which feeds the <see cref="ProgressEntry"/> through the
/// exchange observer. <c>ProgressEntry.AddReceived</c> alone is shown for scale. <b>PerRequest</b>: what
/// tracking costs once per request: <see cref="ProgressTracker.TrackAsync"/> (find the id, create the
/// entry, register it in the <see cref="InMemoryProgressStore"/>) and the end of the exchange (complete and
/// release the entry), against an untracked exchange's <c>Begin</c> and end. Runs over a loopback connection
/// because tracking hangs off the real <see cref="HttpRequest"/>.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ProgressTrackingBenchmarks
{
    private const int ReceiveSize = 4096;

    private static readonly byte[] s_upload = Encoding.ASCII.GetBytes(
        "POST /upload?X-Progress-Id=bench-upload-1 HTTP/1.1\r\n" +
        "Host: localhost\r\n" +
        "Content-Type: application/octet-stream\r\n" +
        "Content-Length: 4000000000000000000\r\n" +
        "\r\n");

    private readonly ProgressEntry _entry = new("bench-entry");
    // A zero TTL frees the id as soon as an exchange ends: a finished id is its owner's until it expires, and
    // every iteration must register anew for TrackedRequest to measure tracking, not a refused id.
    private readonly ProgressTracker _tracker = new(new ProgressOptions { Ttl = TimeSpan.Zero });
    private LoopbackExchange? _untracked;
    private LoopbackExchange? _tracked;
    private IConnectionTransport? _untrackedIo;
    private IConnectionTransport? _trackedIo;

    [GlobalSetup]
    public void Setup()
    {
        var options = new HttpOptions { RequestBodySizeLimit = long.MaxValue };
        _untracked = new LoopbackExchange(options, s_upload);
        _tracked = new LoopbackExchange(options, s_upload);
        _untrackedIo = _untracked.Connection.Transport;
        _trackedIo = _tracked.Connection.Transport;

        _untracked.Connection.BeginExchange();
        _tracked.Connection.BeginExchange();
        ProgressEntry entry = _tracker.TrackAsync(_tracked.Request).AsTask().GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("The upload was not tracked.");
        if (_trackedIo.ReceiveObserver is null || _untrackedIo.ReceiveObserver is not null)
        {
            throw new InvalidOperationException("Tracking did not attach the receive counter.");
        }

        TrackedReceive();
        if (entry.Snapshot().Received != ReceiveSize)
        {
            throw new InvalidOperationException("The receive was not counted.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _untracked?.Dispose();
        _tracked?.Dispose();
    }

    // Not a baseline: a null check measures as 0 ns, which gives no ratio. The Content-Length is huge so that
    // billions of counted receives never reach it (past it the counter stops counting and gets cheaper).
    [Benchmark(Description = "Receive, untracked (observer null)")]
    [BenchmarkCategory("PerReceive")]
    public void UntrackedReceive() => _untrackedIo!.ReceiveObserver?.Invoke(ReceiveSize);

    [Benchmark(Description = "ProgressEntry.AddReceived")]
    [BenchmarkCategory("PerReceive")]
    public void EntryAddReceived() => _entry.AddReceived(ReceiveSize);

    [Benchmark(Description = "Receive, tracked (observer -> entry)")]
    [BenchmarkCategory("PerReceive")]
    public void TrackedReceive() => _trackedIo!.ReceiveObserver?.Invoke(ReceiveSize);

    [Benchmark(Baseline = true, Description = "Exchange begin + end, untracked")]
    [BenchmarkCategory("PerRequest")]
    public void UntrackedRequest()
    {
        _untracked!.Connection.BeginExchange();
        _untracked.Connection.Observation.End(completed: true);
    }

    [Benchmark(Description = "Exchange begin + TrackAsync + end")]
    [BenchmarkCategory("PerRequest")]
    public ProgressEntry? TrackedRequest()
    {
        HttpRequest request = _tracked!.Request;
        _tracked.Connection.BeginExchange();
        ValueTask<ProgressEntry?> tracking = _tracker.TrackAsync(request);
        ProgressEntry? entry = tracking.IsCompletedSuccessfully ? tracking.Result : tracking.AsTask().GetAwaiter().GetResult();
        _tracked.Connection.Observation.End(completed: true);
        return entry;
    }
}
