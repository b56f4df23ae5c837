using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>
/// A request's content read through a small buffer, so a patch document's framing (part fields, boundaries, length
/// prefixes) can be parsed before its part bodies are streamed on, and a bounded view of it
/// (<see cref="Limit(long)"/>) can feed a part into an upload. The body is any source, not only a request's, so the
/// framing can also be driven over bytes in memory (the fuzz target does, whole and in pieces).
/// </summary>
internal sealed class RequestContent(IContentSource body, CancellationToken cancellationToken) : IContentSource
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The content of <paramref name="request"/>.</summary>
    public static RequestContent Of(HttpRequest request, CancellationToken cancellationToken) => new(new RequestBody(request), cancellationToken);

    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken token)
    {
        if (_end > _start)
        {
            int count = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(destination.Span);
            _start += count;
            return ValueTask.FromResult(count);
        }

        return _ended ? ValueTask.FromResult(0) : body.ReadAsync(destination, token);
    }

    /// <summary>The next <paramref name="count"/> bytes (or what is left when the content ends first) as a source of their own.</summary>
    public IContentSource Limit(long count) => new LimitedSource(this, count);

    /// <summary>The next <paramref name="count"/> bytes of any source (or what is left when it ends first).</summary>
    public static IContentSource Limit(IContentSource source, long count) => new LimitedSource(source, count);

    /// <summary>One byte; -1 at the end of the content.</summary>
    public async ValueTask<int> ReadByteAsync()
    {
        if (_end == _start && !await FillAsync().ConfigureAwait(false))
        {
            return -1;
        }

        return _buffer[_start++];
    }

    /// <summary>A line up to CRLF (or LF), without it, of at most <paramref name="limit"/> bytes; null at the end of the content.</summary>
    public async ValueTask<string?> ReadLineAsync(int limit)
    {
        var line = new List<byte>();
        while (true)
        {
            int next = await ReadByteAsync().ConfigureAwait(false);
            if (next < 0)
            {
                return null;
            }

            if (next == '\n')
            {
                if (line.Count > 0 && line[^1] == '\r')
                {
                    line.RemoveAt(line.Count - 1);
                }

                return System.Text.Encoding.Latin1.GetString([.. line]);
            }

            if (line.Count >= limit)
            {
                throw new HttpStatusException(400, "A line of the patch document is too long");
            }

            line.Add((byte)next);
        }
    }

    /// <summary>Exactly <paramref name="destination"/>'s length; false when the content ends first.</summary>
    public async ValueTask<bool> ReadExactlyAsync(Memory<byte> destination)
    {
        int filled = 0;
        while (filled < destination.Length)
        {
            int read = await ReadAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }

    private async ValueTask<bool> FillAsync()
    {
        if (_ended)
        {
            return false;
        }

        _start = 0;
        _end = await body.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        _ended = _end == 0;
        return !_ended;
    }

    private sealed class LimitedSource(IContentSource content, long count) : IContentSource
    {
        private long _left = count;

        public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (_left == 0 || destination.IsEmpty)
            {
                return 0;
            }

            int read = await content.ReadAsync(destination[..(int)Math.Min(destination.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read;
        }
    }

    private sealed class RequestBody(HttpRequest request) : IContentSource
    {
        public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken) => request.ReadBodyAsync(destination, cancellationToken);
    }
}
