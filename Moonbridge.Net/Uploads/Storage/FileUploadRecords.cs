namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// Upload records as files (<c>{id}.json</c>) beside the data files. A record is written to a temporary file,
/// <c>fsync</c>ed and renamed over the old one, the directory flushed after, so that after a crash or <c>kill -9</c>
/// either the old or the new record is there, whole. Within one process the store's slots keep writes to one upload
/// apart, and across processes its claims do, so the comparison of <see cref="IUploadRecords.WriteAsync"/> is left
/// to them. File system calls run on the thread pool: an event loop must not wait for a disk.
/// </summary>
internal sealed class FileUploadRecords(string directory) : IUploadRecords
{
    public const string Suffix = ".json";
    private const string TemporarySuffix = ".tmp";

    public async ValueTask<byte[]?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(id), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async ValueTask<bool> WriteAsync(UploadRecordDocument record, CancellationToken cancellationToken = default)
    {
        await Task.Run(() =>
        {
            string path = PathOf(record.Id);
            string temporary = path + TemporarySuffix;
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(record.Json.Span);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            DirectorySync.Flush(directory);
        }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
        => await Task.Run(() =>
        {
            string path = PathOf(id);
            bool existed = File.Exists(path);
            File.Delete(path);
            DirectorySync.Flush(directory);
            return existed;
        }, CancellationToken.None).ConfigureAwait(false);

    // Every record: a file says nothing of its expiry without being read, and the store reads each anyway.
    public IAsyncEnumerable<string> ListAsync(DateTimeOffset? expiredBy = null, CancellationToken cancellationToken = default)
        => Directory.EnumerateFiles(directory, "*" + Suffix)
            .TakeWhile(_ => !cancellationToken.IsCancellationRequested)
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Where(id => UploadId.IsValid(id))
            .ToAsyncEnumerable();

    private string PathOf(string id) => Path.Combine(directory, id + Suffix);
}
