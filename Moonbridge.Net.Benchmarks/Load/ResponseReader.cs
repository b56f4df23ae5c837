using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// Reads Content-Length-framed HTTP/1.1 responses off a socket, discarding the bodies. The buffer size is
/// chosen by the caller: large for throughput clients, small where thousands of connections are opened.
/// </summary>
internal sealed class ResponseReader(Socket socket, int bufferSize = 64 * 1024)
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;

    /// <summary>Reads one response and returns its status code.</summary>
    public async Task<int> ReadResponseAsync(CancellationToken cancellationToken)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(cancellationToken);
        }

        string head = Encoding.ASCII.GetString(_buffer, _start, headerEnd);
        _start += headerEnd + 4;
        if (head.Length < 12 || !int.TryParse(head.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            throw new InvalidDataException("malformed status line");
        }

        long length = -1;
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(line.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
            }
        }

        if (length < 0)
        {
            throw new InvalidDataException("response without Content-Length");
        }

        while (length > 0)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            int take = (int)Math.Min(length, _end - _start);
            _start += take;
            length -= take;
        }

        return status;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start == 0)
            {
                throw new InvalidDataException("response head too large");
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int read = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            throw new IOException("connection closed");
        }

        _end += read;
    }
}
