using System.Text;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The last status a response writer was given, checked and encoded once: a handler that answers <c>"200 OK"</c> each
/// time passes the same string, so its code is parsed and its status line encoded only when the string changes.
/// </summary>
internal sealed class RepeatedStatus
{
    private string? _status;
    private int _code;
    private byte[] _line = [];
    private int _lineLength;

    /// <summary>The code of <paramref name="status"/> (<see cref="StatusLine.ParseCode"/>, which throws for a malformed one).</summary>
    public int CodeOf(string status)
    {
        Take(status);
        return _code;
    }

    /// <summary><c>HTTP/1.1 {status} CRLF</c>, encoded once per status string.</summary>
    public ReadOnlySpan<byte> LineOf(string status)
    {
        Take(status);
        return _line.AsSpan(0, _lineLength);
    }

    private void Take(string status)
    {
        if (ReferenceEquals(status, _status))
        {
            return;
        }

        int code = StatusLine.ParseCode(status);
        int length = "HTTP/1.1 "u8.Length + status.Length + 2;
        if (_line.Length < length)
        {
            _line = new byte[Math.Max(64, length)];
        }

        "HTTP/1.1 "u8.CopyTo(_line);
        Encoding.Latin1.GetBytes(status, _line.AsSpan("HTTP/1.1 "u8.Length));
        "\r\n"u8.CopyTo(_line.AsSpan(length - 2));
        _lineLength = length;
        _code = code;
        _status = status;
    }
}
