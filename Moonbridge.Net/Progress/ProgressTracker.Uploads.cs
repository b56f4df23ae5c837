using System.Collections.Concurrent;
using Moonbridge.Net.Uploads;

namespace Moonbridge.Net.Progress;

public sealed partial class ProgressTracker
{
    /// <summary>Entries of uploads under way, by progress id, with the offset last counted into each.</summary>
    private readonly ConcurrentDictionary<string, UploadEntry> _uploads = new(StringComparer.Ordinal);

    /// <summary>
    /// An observer for <see cref="ResumableUploadOptions.Progress"/>: each resumable upload becomes one progress entry,
    /// under the <c>X-Progress-Id</c> its requests carry (or its upload id), counting the bytes stored across all of its
    /// requests against its length, and completed (200) when the upload is. Polls and event streams
    /// (<see cref="ShowAsync"/>, <see cref="ShowEventsAsync"/>) show it as they show a single upload request.
    /// </summary>
    /// <returns>The observer to set on the upload options.</returns>
    public Action<UploadProgress> ObserveUploads() => OnUploadProgress;

    private void OnUploadProgress(UploadProgress progress)
    {
        if (!ProgressId.IsValid(progress.ProgressId))
        {
            return;
        }

        UploadEntry upload = _uploads.GetOrAdd(progress.ProgressId, static (id, tracker) => tracker.StartUploadEntry(id), this);
        lock (upload)
        {
            upload.Entry.SetRequestSize(progress.Length);
            if (progress.Offset > upload.Counted)
            {
                upload.Entry.AddReceived(progress.Offset - upload.Counted);
                upload.Counted = progress.Offset;
            }
        }

        if (progress.IsComplete && _uploads.TryRemove(new KeyValuePair<string, UploadEntry>(progress.ProgressId, upload)))
        {
            upload.Entry.Complete(200);
            if (upload.Registered)
            {
                _ = Store.ReleaseAsync(upload.Entry, Options.TimeProvider.GetUtcNow() + Options.Ttl).AsTask();
            }
        }
    }

    private UploadEntry StartUploadEntry(string id)
    {
        var entry = new ProgressEntry(id);

        // An in-process store answers at once; a shared one registers in the background (progress is best effort).
        ValueTask<bool> adding = Store.TryAddAsync(entry);
        return new UploadEntry(entry, !adding.IsCompleted || adding.Result);
    }

    /// <summary>One upload's entry; <see cref="Counted"/> is guarded by locking the instance.</summary>
    private sealed class UploadEntry(ProgressEntry entry, bool registered)
    {
        public ProgressEntry Entry { get; } = entry;

        public bool Registered { get; } = registered;

        public long Counted { get; set; }
    }
}
