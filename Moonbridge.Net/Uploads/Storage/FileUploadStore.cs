using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// Uploads with their bytes on the local file system, a data file (<c>{id}.data</c>) per upload in one directory, and
/// their records in <see cref="IUploadRecords"/> (by default <c>{id}.json</c> files beside the data). Durability:
/// the data file is <c>fsync</c>ed before the record states a larger offset, so after a crash or <c>kill -9</c> the
/// record's offset is never ahead of the data. Bytes beyond it are cut off when the upload is next taken over.
/// </summary>
internal sealed partial class FileUploadStore : IUploadStore
{
    private const string DataSuffix = ".data";
    private const int ContentReadBufferSize = 256 * 1024;

    private readonly ConcurrentDictionary<string, UploadSlot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly IUploadClaims? _claims;
    private readonly IUploadRecords _records;

    /// <param name="directory">Where the data files are kept; created when missing. One store per directory and process.</param>
    /// <param name="clock">Decides expiry; the system clock by default.</param>
    /// <param name="claims">Coordinates takeovers with other processes on the same directory; null for this process only.</param>
    /// <param name="records">Where the records are kept; null for JSON files in <paramref name="directory"/>.</param>
    public FileUploadStore(string directory, TimeProvider? clock = null, IUploadClaims? claims = null, IUploadRecords? records = null)
    {
        _claims = claims;
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _records = records ?? new FileUploadRecords(Directory);
        _clock = clock ?? TimeProvider.System;
    }

    public string Directory { get; }

    /// <summary>Uploads some request holds or waits for now.</summary>
    internal int ActiveSlots => _slots.Count;

    public async ValueTask<UploadRecord> CreateAsync(UploadCreation creation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(creation);
        if (creation.Length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(creation), creation.Length, "An upload's length cannot be negative.");
        }

        string id = UploadId.New();
        var record = new UploadRecord
        {
            Id = id,
            Protocol = creation.Protocol,
            Owner = creation.Owner,
            Client = creation.Client,
            Offset = 0,
            Length = creation.Length,
            MediaType = creation.MediaType,
            Disposition = creation.Disposition,
            ContentEncoding = creation.ContentEncoding,
            Metadata = creation.Metadata,
            IsPartial = creation.IsPartial,
            Parts = creation.Parts,
            CreatedAt = _clock.GetUtcNow(),
            ExpiresAt = creation.ExpiresAt,
        };

        // The data file exists before the record names the upload: a crash in between leaves an orphan data file, never a record without data.
        using (File.OpenHandle(DataPath(id), FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
        }

        try
        {
            record = await WriteRecordAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not recorded (the records' store refused or did not answer): the empty data file would be an orphan.
            File.Delete(DataPath(id));
            throw;
        }

        await NoteOpenedAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    public async ValueTask<UploadRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!UploadId.IsValid(id))
        {
            return null;
        }

        UploadRecord? record = await ReadRecordAsync(id, cancellationToken).ConfigureAwait(false);
        return record is null || IsExpired(record) ? null : record;
    }

    public async ValueTask<IUploadAppend?> TakeOverAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!UploadId.IsValid(id))
        {
            return null;
        }

        // Entered before anything is awaited: the request's place in the order of takeovers (newest wins) is its arrival.
        (UploadSlot slot, long ticket) = Enter(id);
        bool held = false;
        bool handedOver = false;
        IUploadClaim? claim = null;
        try
        {
            // An unknown id claims nothing (no coordination keys for ids that were never made).
            if (await _records.ReadAsync(id, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            await slot.Hold.WaitAsync(cancellationToken).ConfigureAwait(false);
            held = true;
            if (!slot.IsNewest(ticket))
            {
                // A newer request came while this one waited: the newest wins, this one ends.
                throw new UploadSupersededException();
            }

            claim = await ClaimAsync(id, slot, ticket, cancellationToken).ConfigureAwait(false);

            UploadRecord? record = await ReadRecordAsync(id, cancellationToken).ConfigureAwait(false);
            if (record is null || IsExpired(record))
            {
                return null;
            }

            SafeFileHandle data = File.OpenHandle(DataPath(id), FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            try
            {
                long length = RandomAccess.GetLength(data);
                record = Reconcile(record, claim?.Committed, length);

                // What an earlier request wrote without making it durable is not part of the upload.
                if (length != record.Offset)
                {
                    RandomAccess.SetLength(data, record.Offset);
                }

                record = record with { Epoch = record.Epoch + 1 };
                if (claim is not null && !await claim.CommitAsync(record.Epoch, record.Offset, cancellationToken).ConfigureAwait(false))
                {
                    throw new UploadSupersededException("This request's claim on the upload was lost.");
                }

                record = await WriteRecordAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                data.Dispose();
                throw;
            }

            var hold = new FileUploadAppend(this, slot, data, record, id, claim);
            slot.SetHolder(hold, ticket);
            handedOver = true;
            return hold;
        }
        finally
        {
            if (!handedOver)
            {
                if (claim is not null)
                {
                    await claim.DisposeAsync().ConfigureAwait(false);
                }

                if (held)
                {
                    slot.Hold.Release();
                }

                Leave(id, slot);
            }
        }
    }

    public async ValueTask<Stream?> OpenContentAsync(string id, CancellationToken cancellationToken = default)
    {
        UploadRecord? record = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        // Only the durable bytes: a request appending now may have written more.
        SafeFileHandle data = File.OpenHandle(DataPath(id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // Buffered: readers such as a hash take 4 KiB at a time, and one system call per 4 KiB made reading a
        // completed gigabyte back the slowest part of an upload (262,000 pread calls measured).
        return new BufferedStream(new UploadContentStream(data, record.Offset), ContentReadBufferSize);
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
        => UploadId.IsValid(id) && await RemoveAsync(id, onlyIfRecorded: true, cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        int removed = 0;
        await foreach (string id in _records.ListAsync(now, cancellationToken).ConfigureAwait(false))
        {
            // No record at all is one that expired away by itself in its store (its data file is still here) or one
            // deleted since the listing (removing it again is harmless); one that cannot be read as this upload's is
            // left alone.
            byte[]? json = await _records.ReadAsync(id, cancellationToken).ConfigureAwait(false);
            bool expired = json is null || Parse(id, json) is { } record && record.ExpiresAt <= now;
            if (expired && await RemoveAsync(id, onlyIfRecorded: false, cancellationToken).ConfigureAwait(false))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Removes the record and the data file, once the upload is held (a holder is superseded at once); false when
    /// neither was there, or, with <paramref name="onlyIfRecorded"/>, when there is no record.
    /// </summary>
    private async ValueTask<bool> RemoveAsync(string id, bool onlyIfRecorded, CancellationToken cancellationToken)
    {
        (UploadSlot slot, long ticket) = Enter(id);
        try
        {
            if (onlyIfRecorded && await _records.ReadAsync(id, cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }

            await slot.Hold.WaitAsync(cancellationToken).ConfigureAwait(false);
            IUploadClaim? claim = null;
            try
            {
                claim = await ClaimAsync(id, slot, ticket, cancellationToken).ConfigureAwait(false);

                // The record goes first: without it the upload is gone, whatever data is left behind.
                bool existed = await _records.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
                await NoteClosedAsync(id).ConfigureAwait(false);
                string data = DataPath(id);
                return await Task.Run(() =>
                {
                    bool hadData = File.Exists(data);
                    File.Delete(data);
                    DirectorySync.Flush(Directory);
                    return existed || hadData;
                }, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                if (claim is not null)
                {
                    await claim.DisposeAsync().ConfigureAwait(false);
                }

                slot.Hold.Release();
            }
        }
        finally
        {
            Leave(id, slot);
        }
    }

    /// <summary>
    /// Writes <paramref name="record"/> as the upload's durable record and returns it. Callers hold the upload (or
    /// create it), so writes to one upload never overlap here; a shared record store also refuses a record behind the
    /// one it has (written by a newer request elsewhere).
    /// </summary>
    /// <exception cref="UploadSupersededException">The records have one ahead of this: the upload is no longer this request's.</exception>
    internal async ValueTask<UploadRecord> WriteRecordAsync(UploadRecord record, CancellationToken cancellationToken)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(UploadMetadataDocument.From(record), UploadMetadataJson.Default.UploadMetadataDocument);
        if (!await _records.WriteAsync(new UploadRecordDocument(record.Id, record.Epoch, record.Offset, record.ExpiresAt, json), cancellationToken).ConfigureAwait(false))
        {
            throw new UploadSupersededException("A newer request recorded the upload.");
        }

        if (record.IsComplete)
        {
            await NoteClosedAsync(record.Id).ConfigureAwait(false);
        }

        return record;
    }

    /// <summary>A hold ended: the slot goes when no other request wants the upload.</summary>
    internal void Leave(string id, UploadSlot slot, FileUploadAppend? holder = null)
    {
        if (slot.Leave(holder))
        {
            _slots.TryRemove(new KeyValuePair<string, UploadSlot>(id, slot));
        }
    }

    /// <summary>
    /// The claim of other processes on the same directory, when there are any: taken after this process's own slot,
    /// so it is asked for once per process and upload at a time; null without <see cref="IUploadClaims"/>.
    /// </summary>
    private async ValueTask<IUploadClaim?> ClaimAsync(string id, UploadSlot slot, long ticket, CancellationToken cancellationToken)
    {
        if (_claims is null)
        {
            return null;
        }

        IUploadClaim claim = await _claims.ClaimAsync(id, cancellationToken).ConfigureAwait(false);
        if (!slot.IsNewest(ticket))
        {
            // A newer request of this process came during the wait: it gets the upload next.
            await claim.DisposeAsync().ConfigureAwait(false);
            throw new UploadSupersededException();
        }

        return claim;
    }

    /// <summary>
    /// The record as the coordination confirms it: an offset the shared commit never confirmed is cut back to the
    /// committed one (a holder that lost its claim recorded it), and a record that lags a commit whose bytes are on
    /// disk (a crash between the commit and the record's write) is brought up to it.
    /// </summary>
    private static UploadRecord Reconcile(UploadRecord record, UploadCommit? committed, long dataLength)
    {
        if (committed is not { } commit || commit.Epoch < record.Epoch)
        {
            // None kept, or one older than the record (the coordination came back from an old snapshot): the record
            // stands. A commit always precedes the record of its epoch, so a current one is never older.
            return record;
        }

        long offset = commit.Offset <= record.Offset || commit.Offset <= dataLength ? commit.Offset : record.Offset;
        return record with { Offset = offset, Epoch = Math.Max(record.Epoch, commit.Epoch) };
    }

    private (UploadSlot Slot, long Ticket) Enter(string id)
    {
        while (true)
        {
            UploadSlot slot = _slots.GetOrAdd(id, static _ => new UploadSlot());
            long ticket = slot.Enter();

            // A slot removed by its last user just now must not be used: take the one in the dictionary.
            if (_slots.TryGetValue(id, out UploadSlot? current) && current == slot)
            {
                return (slot, ticket);
            }

            _ = slot.Leave();
        }
    }

    private async ValueTask<UploadRecord?> ReadRecordAsync(string id, CancellationToken cancellationToken)
        => await _records.ReadAsync(id, cancellationToken).ConfigureAwait(false) is { } json ? Parse(id, json) : null;

    /// <summary>The record in <paramref name="json"/> if it is upload <paramref name="id"/>'s.</summary>
    private static UploadRecord? Parse(string id, byte[] json)
    {
        UploadMetadataDocument? document = JsonSerializer.Deserialize(json, UploadMetadataJson.Default.UploadMetadataDocument);
        return document is not null && string.Equals(document.Id, id, StringComparison.Ordinal) ? document.ToRecord() : null;
    }

    private bool IsExpired(UploadRecord record) => record.ExpiresAt <= _clock.GetUtcNow();

    private string DataPath(string id) => Path.Combine(Directory, id + DataSuffix);
}
