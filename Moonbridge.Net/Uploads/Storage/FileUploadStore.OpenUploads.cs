using System.Collections.Concurrent;

namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// The store's index of open (incomplete) uploads per client, for the cap on them: read from the records once,
/// on first use, then kept by creation, completion and removal. Uploads that expire count until the sweeper removes them.
/// With <see cref="IUploadClaims"/> the coordination counts too, across every process on the directory, and its count wins.
/// </summary>
internal sealed partial class FileUploadStore
{
    private readonly ConcurrentDictionary<string, string> _openClients = new(StringComparer.Ordinal);
    private readonly Lock _indexLock = new();
    private Task? _index;

    public async ValueTask<int> CountOpenAsync(string client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_claims is not null && await _claims.CountOpenAsync(client, cancellationToken).ConfigureAwait(false) is int shared)
        {
            return shared;
        }

        await LoadedIndex().WaitAsync(cancellationToken).ConfigureAwait(false);
        int count = 0;
        foreach (KeyValuePair<string, string> open in _openClients)
        {
            if (string.Equals(open.Value, client, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The index's loading, begun on first use; begun again after one that failed (a shared record store that did not answer).</summary>
    private Task LoadedIndex()
    {
        lock (_indexLock)
        {
            if (_index is null || _index.IsFaulted || _index.IsCanceled)
            {
                _index = Task.Run(LoadIndexAsync);
            }

            return _index;
        }
    }

    private void NoteOpened(UploadRecord record)
    {
        if (record.Client is { } client && !record.IsComplete)
        {
            _openClients[record.Id] = client;
        }
    }

    private ValueTask NoteOpenedAsync(UploadRecord record, CancellationToken cancellationToken)
    {
        NoteOpened(record);
        return _claims is not null && record.Client is { } client && !record.IsComplete
            ? _claims.OpenedAsync(record.Id, client, record.ExpiresAt, cancellationToken)
            : ValueTask.CompletedTask;
    }

    private ValueTask NoteClosedAsync(string id)
    {
        _openClients.TryRemove(id, out _);

        // Not cancelled with the request: an upload that closed must not stay counted because its client went away.
        return _claims?.ClosedAsync(id, CancellationToken.None) ?? ValueTask.CompletedTask;
    }

    /// <summary>Reads every record once: uploads left by an earlier run of the process (a restart, a crash) count too.</summary>
    private async Task LoadIndexAsync()
    {
        await foreach (string id in _records.ListAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false))
        {
            if (await ReadRecordAsync(id, CancellationToken.None).ConfigureAwait(false) is { } record)
            {
                NoteOpened(record);
            }
        }
    }
}
