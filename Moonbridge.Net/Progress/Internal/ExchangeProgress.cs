using Moonbridge.Net.Http;

namespace Moonbridge.Net.Progress.Internal;

/// <summary>Feeds one HTTP exchange's events into its <see cref="ProgressEntry"/>, and releases the entry when the exchange ends.</summary>
internal sealed class ExchangeProgress(ProgressEntry entry, IProgressStore store, ProgressOptions options, bool registered) : IHttpExchangeObserver
{
    private int _status;

    public void OnBodyReceived(long bytes) => entry.AddReceived(bytes);

    public void OnResponseStarted(int statusCode, long? contentLength)
    {
        _status = statusCode;
        entry.SetResponseSize(contentLength);
    }

    public void OnResponseSent(long bytes) => entry.AddSent(bytes);

    public void OnExchangeEnded(bool completed)
    {
        if (_status >= 100 && (completed || _status >= 300))
        {
            entry.Complete(_status);
        }
        else
        {
            entry.Abort();
        }

        if (registered)
        {
            // An in-process store completes at once; a shared one finishes in the background.
            _ = store.ReleaseAsync(entry, options.TimeProvider.GetUtcNow() + options.Ttl).AsTask();
        }
    }
}
