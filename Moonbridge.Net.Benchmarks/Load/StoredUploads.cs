using Moonbridge.Net.Http;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// The plain upload that keeps what it receives, as an application storing a file would write it: the body streamed
/// into a new file through a 256 KiB <see cref="FileStream"/> buffer (the upload store's piece size), fsynced before the
/// answer, as the resumable store makes a request's bytes durable before its answer. The resumable-upload scenario
/// compares against it (<see cref="ResumableUploadBench"/>).
/// </summary>
internal sealed class StoredUploads(string directory)
{
    private const int BufferBytes = 256 * 1024;

    /// <summary>Stores the request's body in a new file; returns its length.</summary>
    public async Task<long> StoreAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, Guid.NewGuid().ToString("N"));
        long length = 0;
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = BufferBytes,
            Options = FileOptions.Asynchronous,
        };
        await using var file = new FileStream(path, options);
        await request.StreamRequestBodyAsync(async (chunk, ct) =>
        {
            length += chunk.Length;
            await file.WriteAsync(chunk, ct);
        }, cancellationToken);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
        return length;
    }

    /// <summary>Removes every stored file; returns how many there were.</summary>
    public int DeleteAll()
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        string[] files = Directory.GetFiles(directory);
        foreach (string file in files)
        {
            File.Delete(file);
        }

        return files.Length;
    }
}
