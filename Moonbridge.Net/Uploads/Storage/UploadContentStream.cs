using Microsoft.Win32.SafeHandles;

namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// A read-only, seekable view of an upload's data file that ends at its durable offset, whatever a request appending
/// at the same time has written beyond it.
/// </summary>
internal sealed class UploadContentStream(SafeFileHandle data, long length) : Stream
{
    private long _position;

    public override bool CanRead => !data.IsClosed;

    public override bool CanSeek => !data.IsClosed;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int wanted = (int)Math.Min(buffer.Length, Math.Max(0, length - _position));
        int read = wanted == 0 ? 0 : RandomAccess.Read(data, buffer[..wanted], _position);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int wanted = (int)Math.Min(buffer.Length, Math.Max(0, length - _position));
        int read = wanted == 0 ? 0 : await RandomAccess.ReadAsync(data, buffer[..wanted], _position, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("An upload's content is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("An upload's content is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            data.Dispose();
        }

        base.Dispose(disposing);
    }
}
