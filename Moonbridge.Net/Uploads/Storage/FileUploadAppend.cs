using Microsoft.Win32.SafeHandles;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// A request's hold on an upload of a <see cref="FileUploadStore"/>: positional writes to the data file, made
/// durable by <c>fsync</c> of the data before the upload's record states the new offset.
/// </summary>
internal sealed class FileUploadAppend : IUploadAppend
{
    // Written data is handed to the device in pieces of this size as it arrives (see Writeback).
    private const long WritebackBytes = 8L * 1024 * 1024;

    private readonly FileUploadStore _store;
    private readonly UploadSlot _slot;
    private readonly SafeFileHandle _data;
    private readonly CancellationTokenSource _superseded = new();
    private readonly string _id;
    private readonly IUploadClaim? _claim;
    private readonly CancellationTokenRegistration _claimLost;
    private long _offset;
    private long _writebackFrom;
    private int _disposed;

    internal FileUploadAppend(FileUploadStore store, UploadSlot slot, SafeFileHandle data, UploadRecord record, string id, IUploadClaim? claim = null)
    {
        _id = id;
        _claim = claim;

        // A request in another process wants the upload (or the claim could not be kept): stop as for one here.
        _claimLost = claim?.Superseded.UnsafeRegister(static state => ((FileUploadAppend)state!).Supersede(), this) ?? default;
        _store = store;
        _slot = slot;
        _data = data;
        Record = record;
        _offset = record.Offset;
        _writebackFrom = record.Offset;
    }

    public UploadRecord Record { get; private set; }

    public long Offset => Volatile.Read(ref _offset);

    public CancellationToken Superseded => _superseded.Token;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        // Still allowed once superseded: the request writes what it had received before it was told (the newer
        // one waits for this hold to end), then stops reading.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Record.IsComplete && !data.IsEmpty)
        {
            throw new InvalidOperationException($"Upload {Record.Id} is complete; nothing can be appended.");
        }

        if (Record.Length is { } length && _offset + data.Length > length)
        {
            throw new InvalidOperationException($"Upload {Record.Id} is {length} bytes long; {_offset + data.Length} would exceed it.");
        }

        await RandomAccess.WriteAsync(_data, data, _offset, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _offset, _offset + data.Length);
        if (_offset - _writebackFrom >= WritebackBytes)
        {
            Writeback.Start(_data, _writebackFrom, _offset - _writebackFrom);
            _writebackFrom = _offset;
        }
    }

    public void Rewind()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Volatile.Write(ref _offset, Record.Offset);
        _writebackFrom = Record.Offset;
    }

    public ValueTask<UploadRecord> MakeDurableAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        return SaveAsync(complete: null, length: null, cancellationToken);
    }

    public async ValueTask<UploadRecord> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        try
        {
            return await SaveAsync(complete: null, length: null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpStatusException e) when (e.StatusCode == 503)
        {
            // The claim's lease still runs (a lost claim is UploadSupersededException): nobody else can write the
            // upload, and the record catches up at the next checkpoint.
            return Record;
        }
    }

    public ValueTask<UploadRecord> SetLengthAsync(long length, CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        ArgumentOutOfRangeException.ThrowIfLessThan(length, _offset);
        if (Record.Length is { } known && known != length)
        {
            throw new InvalidOperationException($"Upload {Record.Id} is {known} bytes long, not {length}.");
        }

        return SaveAsync(complete: null, length, cancellationToken);
    }

    public ValueTask<UploadRecord> CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        if (Record.Length is { } length && length != _offset)
        {
            throw new InvalidOperationException($"Upload {Record.Id} is {length} bytes long; it cannot end at {_offset}.");
        }

        return SaveAsync(complete: true, length: _offset, cancellationToken);
    }

    public async ValueTask<UploadRecord> SaveFinalResponseAsync(byte[] response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);

        // Allowed after a newer request superseded this hold: the application's answer was given and must not be
        // lost; the newer request waits for this hold to end anyway.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!Record.IsComplete)
        {
            throw new InvalidOperationException($"Upload {Record.Id} is not complete; it has no final response yet.");
        }

        Record = await _store.WriteRecordAsync(Record with { FinalResponse = response }, cancellationToken).ConfigureAwait(false);
        return Record;
    }

    /// <summary>A newer request took over: no more writes; the bytes written so far are still kept at dispose.</summary>
    internal void Supersede()
    {
        try
        {
            _superseded.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (AggregateException)
        {
            // Callbacks of the older request failed; the newer one that superseded it goes on.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            // Bytes this request wrote are the client's, in order: keeping them saves it sending them again.
            if (_offset > Record.Offset)
            {
                await SaveAsync(complete: null, length: null, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UploadSupersededException or HttpStatusException { StatusCode: 503 })
        {
            // Not durable (or no longer this request's to record, or the records unreachable): the next hold starts at
            // the last recorded offset and truncates the rest.
        }
        finally
        {
            await _claimLost.DisposeAsync().ConfigureAwait(false);
            if (_claim is not null)
            {
                await _claim.DisposeAsync().ConfigureAwait(false);
            }

            _data.Dispose();
            _superseded.Dispose();
            _slot.Hold.Release();
            _store.Leave(_id, _slot, this);
        }
    }

    private async ValueTask<UploadRecord> SaveAsync(bool? complete, long? length, CancellationToken cancellationToken)
    {
        // On the thread pool: an event loop must not wait for a disk.
        await Task.Run(() => RandomAccess.FlushToDisk(_data), cancellationToken).ConfigureAwait(false);
        if (_claim is not null && !await _claim.CommitAsync(Record.Epoch, _offset, cancellationToken).ConfigureAwait(false))
        {
            // Another process holds the upload now (this one's lease ran out): its state is not this request's to write.
            throw new UploadSupersededException("This request's claim on the upload was lost.");
        }

        UploadRecord durable = Record with
        {
            Offset = _offset,
            IsComplete = complete ?? Record.IsComplete,
            Length = length ?? Record.Length,
        };
        Record = await _store.WriteRecordAsync(durable, cancellationToken).ConfigureAwait(false);
        return Record;
    }

    private void ThrowIfEnded()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_superseded.IsCancellationRequested)
        {
            throw new UploadSupersededException();
        }
    }
}
