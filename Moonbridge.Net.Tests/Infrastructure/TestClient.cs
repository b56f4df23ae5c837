using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>
/// The tests' raw client over a plain loopback (or Unix) <see cref="Socket"/>: sends raw bytes (whole or
/// one byte at a time), reads a line, one complete HTTP response (status line, header fields and a
/// Content-Length, chunked or close-delimited body) or everything up to the end of the connection. Every
/// call is bounded by <see cref="Wait"/> (then <see cref="TimeoutException"/>) and by the caller's token.
/// A reset from the server surfaces as <see cref="IOException"/> (or as <see cref="ConnectionEnd.Reset"/>
/// when reading to the end), an end of input inside a response as <see cref="EndOfStreamException"/>.
/// </summary>
internal sealed class TestClient : IDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    private TestClient(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    /// <summary>The longest a single call may take.</summary>
    public TimeSpan Wait { get; set; } = DefaultWait;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>.</summary>
    public static Task<TestClient> ConnectAsync(int port, CancellationToken cancellationToken)
        => ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);

    /// <summary>Connects to a TCP or a Unix socket end point.</summary>
    public static async Task<TestClient> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        bool tcp = endPoint is not UnixDomainSocketEndPoint;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, tcp ? ProtocolType.Tcp : ProtocolType.Unspecified);
        try
        {
            if (tcp)
            {
                socket.NoDelay = true;
            }

            await socket.ConnectAsync(endPoint, cancellationToken).AsTask().WaitAsync(DefaultWait, cancellationToken);
            return new TestClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects, sends one line, and reads the reply line back (for line-echo servers).</summary>
    public static async Task<string?> RoundTripAsync(EndPoint endPoint, string line, CancellationToken cancellationToken)
    {
        using TestClient client = await ConnectAsync(endPoint, cancellationToken);
        await client.SendAsync(line + "\n", cancellationToken);
        return await client.ReadLineAsync(cancellationToken);
    }

    /// <summary>Sends text as Latin-1 bytes.</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken, bool byteByByte = false)
        => SendAsync(Encoding.Latin1.GetBytes(text), cancellationToken, byteByByte);

    public async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken, bool byteByByte = false)
    {
        using CancellationTokenSource timeout = StartWait(cancellationToken);
        try
        {
            int sent = 0;
            while (sent < data.Length)
            {
                ReadOnlyMemory<byte> piece = byteByByte ? data.Slice(sent, 1) : data[sent..];
                sent += await _socket.SendAsync(piece, SocketFlags.None, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending did not complete within {Wait.TotalSeconds} s.");
        }
    }

    /// <summary>Reads the next response; <paramref name="forHead"/> says it answers a HEAD request (headers only).</summary>
    public async Task<RawHttpResponse> ReadResponseAsync(CancellationToken cancellationToken, bool forHead = false)
    {
        using CancellationTokenSource timeout = StartWait(cancellationToken);
        try
        {
            return await ReadResponseCoreAsync(forHead, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No complete response within {Wait.TotalSeconds} s.");
        }
    }

    /// <summary>Reads until the server ends the connection, by a clean close or a reset.</summary>
    public async Task<ConnectionEnd> ReadToEndAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = StartWait(cancellationToken);
        try
        {
            while (await FillAsync(timeout.Token))
            {
            }

            return new ConnectionEnd(TakeAll(), Reset: false);
        }
        catch (IOException)
        {
            return new ConnectionEnd(TakeAll(), Reset: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The server did not end the connection within {Wait.TotalSeconds} s.");
        }
    }

    /// <summary>
    /// Reads up to and including the next LF (or to the end of input); returns the text without the LF, or null
    /// at the end of input with nothing read. For line protocols such as the echo servers'.
    /// </summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = StartWait(cancellationToken);
        try
        {
            int searched = 0;
            while (true)
            {
                int index = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
                if (index >= 0)
                {
                    string line = Encoding.Latin1.GetString(_buffer, _start, searched + index);
                    _start += searched + index + 1;
                    return line;
                }

                searched = _end - _start;
                if (!await FillAsync(timeout.Token))
                {
                    return _end == _start ? null : Encoding.Latin1.GetString(TakeAll());
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No line within {Wait.TotalSeconds} s.");
        }
    }

    /// <summary>
    /// Waits until the received but not yet parsed input contains <paramref name="text"/> (Latin-1), without
    /// consuming anything, e.g. to see the first chunk of a response that is not finished yet.
    /// </summary>
    public async Task WaitForAsync(string text, CancellationToken cancellationToken)
    {
        byte[] wanted = Encoding.Latin1.GetBytes(text);
        using CancellationTokenSource timeout = StartWait(cancellationToken);
        try
        {
            while (_buffer.AsSpan(_start, _end - _start).IndexOf(wanted) < 0)
            {
                if (!await FillAsync(timeout.Token))
                {
                    throw new EndOfStreamException($"The connection ended before '{text}' arrived.");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{text}' did not arrive within {Wait.TotalSeconds} s; received '{Encoding.Latin1.GetString(_buffer, _start, _end - _start)}'.");
        }
    }

    /// <summary>
    /// Whether anything (data or the end of the connection) arrives within <paramref name="window"/>. For
    /// asserting that something has NOT happened, where only a time window can say so.
    /// </summary>
    public bool HasInputWithin(TimeSpan window)
        => _end > _start || _eof || _socket.Poll(window, SelectMode.SelectRead);

    /// <summary>Ends the client's sending side (FIN); reading still works.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Closes with an RST instead of a FIN.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public void Dispose() => _socket.Dispose();

    private CancellationTokenSource StartWait(CancellationToken cancellationToken)
    {
        CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Wait);
        return timeout;
    }

    private async Task<RawHttpResponse> ReadResponseCoreAsync(bool forHead, CancellationToken cancellationToken)
    {
        string statusLine = await ReadCrLfLineAsync(cancellationToken)
            ?? throw new EndOfStreamException("The connection ended before a response.");
        string[] parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || parts[1].Length != 3)
        {
            throw new InvalidDataException($"Not a status line: '{statusLine}'.");
        }

        int code = int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture);
        List<KeyValuePair<string, string>> headers = await ReadFieldsAsync(cancellationToken);
        var response = new ResponseBuilder { Version = parts[0], Code = code, Status = statusLine[(parts[0].Length + 1)..], Headers = headers };

        bool chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        string? length = headers.Where(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
        if (code < 200 || code is 204 or 304 || forHead)
        {
            return response.Build(BodyFraming.None, []);
        }

        if (chunked)
        {
            return await ReadChunkedAsync(response, cancellationToken);
        }

        if (length is not null)
        {
            int count = int.Parse(length, NumberStyles.None, CultureInfo.InvariantCulture);
            return response.Build(BodyFraming.ContentLength, await ReadExactAsync(count, cancellationToken));
        }

        while (await FillAsync(cancellationToken))
        {
        }

        return response.Build(BodyFraming.UntilClose, TakeAll());
    }

    private async Task<RawHttpResponse> ReadChunkedAsync(ResponseBuilder response, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        var sizes = new List<int>();
        while (true)
        {
            string line = await ReadCrLfLineAsync(cancellationToken) ?? throw new EndOfStreamException("The connection ended inside a chunked body.");
            int semicolon = line.IndexOf(';', StringComparison.Ordinal);
            int size = int.Parse(semicolon < 0 ? line : line[..semicolon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            sizes.Add(size);
            if (size == 0)
            {
                List<KeyValuePair<string, string>> trailers = await ReadFieldsAsync(cancellationToken);
                return response.Build(BodyFraming.Chunked, body.ToArray(), sizes, trailers);
            }

            body.Write(await ReadExactAsync(size, cancellationToken));
            string end = await ReadCrLfLineAsync(cancellationToken) ?? throw new EndOfStreamException("The connection ended inside a chunk.");
            if (end.Length != 0)
            {
                throw new InvalidDataException($"A chunk of {size} bytes is followed by '{end}' instead of CRLF.");
            }
        }
    }

    private async Task<List<KeyValuePair<string, string>>> ReadFieldsAsync(CancellationToken cancellationToken)
    {
        var fields = new List<KeyValuePair<string, string>>();
        while (true)
        {
            string line = await ReadCrLfLineAsync(cancellationToken) ?? throw new EndOfStreamException("The connection ended inside a header section.");
            if (line.Length == 0)
            {
                return fields;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"Not a header field: '{line}'.");
            }

            fields.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }
    }

    /// <summary>The next CRLF-terminated line without its CRLF; null when the connection ended with nothing buffered.</summary>
    private async Task<string?> ReadCrLfLineAsync(CancellationToken cancellationToken)
    {
        int searched = 0;
        while (true)
        {
            int index = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                string line = Encoding.Latin1.GetString(_buffer, _start, searched + index);
                _start += searched + index + 2;
                return line;
            }

            searched = Math.Max(0, _end - _start - 1);
            if (!await FillAsync(cancellationToken))
            {
                if (_end == _start)
                {
                    return null;
                }

                throw new EndOfStreamException($"The connection ended inside a line: '{Encoding.Latin1.GetString(_buffer, _start, _end - _start)}'.");
            }
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        byte[] result = new byte[count];
        int copied = 0;
        while (copied < count)
        {
            if (_end == _start && !await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException($"The connection ended after {copied} of {count} body bytes.");
            }

            int take = Math.Min(count - copied, _end - _start);
            _buffer.AsSpan(_start, take).CopyTo(result.AsSpan(copied));
            _start += take;
            copied += take;
        }

        return result;
    }

    private byte[] TakeAll()
    {
        byte[] rest = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end = 0;
        return rest;
    }

    /// <summary>Receives more input; false at the end of the connection. A reset throws <see cref="IOException"/>.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return false;
        }

        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            throw new IOException("The server reset the connection.", e);
        }

        if (read == 0)
        {
            _eof = true;
            return false;
        }

        _end += read;
        return true;
    }

    private sealed class ResponseBuilder
    {
        public required string Version { get; init; }

        public required int Code { get; init; }

        public required string Status { get; init; }

        public required List<KeyValuePair<string, string>> Headers { get; init; }

        public RawHttpResponse Build(
            BodyFraming framing, byte[] body, IReadOnlyList<int>? chunkSizes = null, IReadOnlyList<KeyValuePair<string, string>>? trailers = null) => new()
        {
            Version = Version,
            StatusCode = Code,
            Status = Status,
            Headers = Headers,
            Framing = framing,
            Body = body,
            ChunkSizes = chunkSizes ?? [],
            Trailers = trailers ?? [],
        };
    }
}
