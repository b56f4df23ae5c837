using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// Uploads on the local file system: per upload a data file (<c>{id}.data</c>) and a metadata file
/// (<c>{id}.json</c>) in one directory. Durability: the data file is <c>fsync</c>ed before the metadata records a
/// larger offset, and the metadata is written to a temporary file, <c>fsync</c>ed and renamed over the old one
/// (the directory flushed after), so after a crash or <c>kill -9</c> the metadata's offset is never ahead of the
/// data. Bytes beyond it are cut off when the upload is next taken over.
/// </summary>
internal sealed partial class FileUploadStore : IUploadStore
{
    private const string DataSuffix = ".data";
    private const string MetadataSuffix = ".json";
    private const string TemporarySuffix = ".tmp";

    private readonly ConcurrentDictionary<string, UploadSlot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    /// <param name="directory">Where uploads are kept; created when missing. One store per directory and process.</param>
    /// <param name="clock">Decides expiry; the system clock by default.</param>
    public FileUploadStore(string directory, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _clock = clock ?? TimeProvider.System;
    }

    public string Directory { get; }

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
            Offset = 0,
            Length = creation.Length,
            MediaType = creation.MediaType,
            Disposition = creation.Disposition,
            ContentEncoding = creation.ContentEncoding,
            Metadata = creation.Metadata,
            CreatedAt = _clock.GetUtcNow(),
            ExpiresAt = creation.ExpiresAt,
        };

        // The data file exists before the metadata names the upload: a crash in between leaves an orphan data file, never a record without data.
        using (File.OpenHandle(DataPath(id), FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
        }

        return await WriteRecordAsync(Slot(id), record, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<UploadRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!UploadId.IsValid(id))
        {
            return null;
        }

        UploadRecord? record = await ReadRecordAsync(Slot(id), id, cancellationToken).ConfigureAwait(false);
        return record is null || IsExpired(record) ? null : record;
    }

    public async ValueTask<IUploadAppend?> TakeOverAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!UploadId.IsValid(id))
        {
            return null;
        }

        UploadSlot slot = Slot(id);
        slot.SupersedeHolder();
        await slot.Hold.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool handedOver = false;
        try
        {
            UploadRecord? record = await ReadRecordAsync(slot, id, cancellationToken).ConfigureAwait(false);
            if (record is null || IsExpired(record))
            {
                return null;
            }

            SafeFileHandle data = File.OpenHandle(DataPath(id), FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            try
            {
                // What an earlier request wrote without making it durable is not part of the upload.
                if (RandomAccess.GetLength(data) != record.Offset)
                {
                    RandomAccess.SetLength(data, record.Offset);
                }

                record = await WriteRecordAsync(slot, record with { Epoch = record.Epoch + 1 }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                data.Dispose();
                throw;
            }

            var hold = new FileUploadAppend(this, slot, data, record);
            slot.SetHolder(hold);
            handedOver = true;
            return hold;
        }
        finally
        {
            if (!handedOver)
            {
                slot.Hold.Release();
            }
        }
    }

    public async ValueTask SaveFinalResponseAsync(string id, byte[] response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        UploadSlot slot = Slot(id);
        UploadRecord record = await ReadRecordAsync(slot, id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"There is no upload {id}.");
        _ = await WriteRecordAsync(slot, record with { FinalResponse = response }, cancellationToken).ConfigureAwait(false);
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
        return new UploadContentStream(data, record.Offset);
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!UploadId.IsValid(id))
        {
            return false;
        }

        UploadSlot slot = Slot(id);
        slot.SupersedeHolder();
        await slot.Hold.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool existed = File.Exists(MetadataPath(id));

            // The metadata goes first: without it the upload is gone, whatever data is left behind.
            File.Delete(MetadataPath(id));
            File.Delete(DataPath(id));
            slot.Record = null;
            return existed;
        }
        finally
        {
            slot.Hold.Release();
            _slots.TryRemove(new KeyValuePair<string, UploadSlot>(id, slot));
        }
    }

    public async ValueTask<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        int removed = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + MetadataSuffix))
        {
            string id = Path.GetFileNameWithoutExtension(path);
            if (!UploadId.IsValid(id))
            {
                continue;
            }

            UploadRecord? record = await ReadRecordAsync(Slot(id), id, cancellationToken).ConfigureAwait(false);
            if (record is not null && record.ExpiresAt <= now && await DeleteAsync(id, cancellationToken).ConfigureAwait(false))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Writes <paramref name="record"/> as the upload's durable metadata and returns it.</summary>
    internal async ValueTask<UploadRecord> WriteRecordAsync(UploadSlot slot, UploadRecord record, CancellationToken cancellationToken)
    {
        await slot.Metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string temporary = MetadataPath(record.Id) + TemporarySuffix;
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
            {
                await JsonSerializer.SerializeAsync(file, UploadMetadataDocument.From(record), UploadMetadataJson.Default.UploadMetadataDocument, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, MetadataPath(record.Id), overwrite: true);
            DirectorySync.Flush(Directory);
            slot.Record = record;
            return record;
        }
        finally
        {
            slot.Metadata.Release();
        }
    }

    private async ValueTask<UploadRecord?> ReadRecordAsync(UploadSlot slot, string id, CancellationToken cancellationToken)
    {
        if (slot.Record is { } known)
        {
            return known;
        }

        try
        {
            await using var file = new FileStream(MetadataPath(id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 4096, useAsync: true);
            UploadMetadataDocument? document = await JsonSerializer.DeserializeAsync(file, UploadMetadataJson.Default.UploadMetadataDocument, cancellationToken).ConfigureAwait(false);
            if (document is null || !string.Equals(document.Id, id, StringComparison.Ordinal))
            {
                return null;
            }

            return slot.Record = document.ToRecord();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private bool IsExpired(UploadRecord record) => record.ExpiresAt <= _clock.GetUtcNow();

    private UploadSlot Slot(string id) => _slots.GetOrAdd(id, static _ => new UploadSlot());

    private string DataPath(string id) => Path.Combine(Directory, id + DataSuffix);

    private string MetadataPath(string id) => Path.Combine(Directory, id + MetadataSuffix);
}
