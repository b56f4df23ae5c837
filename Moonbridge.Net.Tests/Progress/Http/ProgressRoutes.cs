using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>
/// One <see cref="ProgressTracker"/> behind async routes, as in the example application, for a
/// <see cref="TestServer"/> (<see cref="Start"/>): <c>/upload</c> tracks the request, then reads its body and
/// answers 200 with the body length; <c>/reject</c> does the same but answers the status of its <c>status</c> query parameter (default
/// 413); <c>/progress</c> is <c>ShowAsync</c>, <c>/progress/events</c> is <c>ShowEventsAsync</c>. Both upload
/// routes answer <c>X-Tracked-Id</c>: the id of the entry the handler got, or <c>none</c> when not tracked.
/// </summary>
internal sealed class ProgressRoutes
{
    public const string TrackedIdHeader = "X-Tracked-Id";

    /// <summary>How often the event stream looks again for an id not registered yet.</summary>
    public static readonly TimeSpan EventRetry = TimeSpan.FromMilliseconds(20);

    /// <summary>Routes over a tracker; <paramref name="options"/> get a release-signalling store over their capacity and clock.</summary>
    public ProgressRoutes(ProgressOptions? options = null)
    {
        options ??= new ProgressOptions();
        Store = new ReleaseSignalingStore(new InMemoryProgressStore(options.Capacity, options.TimeProvider));
        options.Store = Store;
        Tracker = new ProgressTracker(options);
    }

    public ProgressTracker Tracker { get; }

    public ReleaseSignalingStore Store { get; }

    /// <summary>Released each time a <c>/progress/events</c> handler call has ended, however it ended.</summary>
    public SemaphoreSlim EventStreamsEnded { get; } = new(0);

    /// <summary>Starts a test server whose handler is these routes.</summary>
    public TestServer Start() => TestServer.StartHttp(TestServer.HttpOptions(), HandleAsync);

    private async ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        switch (request.Path)
        {
            case "progress":
                await Tracker.ShowAsync(request, cancellationToken: cancellationToken);
                break;
            case "progress/events":
                try
                {
                    await Tracker.ShowEventsAsync(request, EventRetry, TimeSpan.FromSeconds(10), cancellationToken);
                }
                finally
                {
                    EventStreamsEnded.Release();
                }

                break;
            case "upload":
                await UploadAsync(request, 200, cancellationToken);
                break;
            case "reject":
                await UploadAsync(request, int.Parse(request.GetParams["status"] ?? "413", CultureInfo.InvariantCulture), cancellationToken);
                break;
            default:
                request.SendStatus(404);
                await request.SendDataAsync("not found");
                break;
        }

        return true;
    }

    private async ValueTask UploadAsync(HttpRequest request, int status, CancellationToken cancellationToken)
    {
        ProgressEntry? entry = await Tracker.TrackAsync(request, cancellationToken);
        long length = 0;
        await request.StreamRequestBodyAsync(
            (chunk, _) =>
            {
                length += chunk.Length;
                return ValueTask.CompletedTask;
            },
            cancellationToken);
        request.SendStatus(status);
        request.SendHeader("Content-Type", "text/plain");
        request.SendHeader(TrackedIdHeader, entry?.Id ?? "none");
        await request.SendDataAsync(string.Create(CultureInfo.InvariantCulture, $"{length}\n"));
    }
}
