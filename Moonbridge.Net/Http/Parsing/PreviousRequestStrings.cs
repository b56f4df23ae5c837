using System.Text;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// The strings of the previous request on a connection. A client sends much the same head again and
/// again (the same target, Host, Accept, User-Agent...), so a field that matches its counterpart in the
/// previous request, byte for byte and at the same position, reuses that string: a repeated request then
/// allocates nothing. Only ASCII text is compared; anything else is decoded afresh.
/// </summary>
/// <remarks>
/// When the previous head was read by the line readers (<see cref="RequestLineParser"/>, <see cref="FieldLineParser"/>),
/// its bytes and the layout of its lines are kept as well: a line identical to the one at the same position
/// before, CRLF included, was then already found sound by them and is split where it was split before,
/// without scanning it again (see <see cref="MatchRequestLine"/>, <see cref="MatchFieldLine"/> and
/// <see cref="MatchHead"/>). A line's grammar does not depend on the lines around it, and the limits it was
/// judged by do not change on a connection, so this holds.
/// </remarks>
internal sealed class PreviousRequestStrings
{
    /// <summary>The previous request's fields, as the head held them, so a repeated head can take them all at once.</summary>
    private KeyValuePair<string, string>[] _fields = [];
    private int _count;

    /// <summary>The previous head's bytes when the line readers read it; its request line is the first <see cref="_requestLineLength"/>.</summary>
    private byte[] _headBytes = [];

    /// <summary>A larger head is not kept: each connection would hold on to a copy of its largest head.</summary>
    private const int MaxLayoutHeadLength = 8 * 1024;

    private int _requestLineLength;
    private int _headLength;
    private FieldLineLayout[] _lines = [];
    private int _lineCount;

    /// <summary>The layout of the lines of the head being parsed, kept by <see cref="RememberLayout"/> once it is valid.</summary>
    private FieldLineLayout[] _pendingLines = [];

    /// <summary>The previous request target, and the path and query taken from it.</summary>
    public string? Target { get; private set; }

    public string? Path { get; private set; }

    public string? Query { get; private set; }

    /// <summary>The previous request's Host value, which passed validation.</summary>
    public string? Host { get; private set; }

    public string? Method { get; private set; }

    public HttpVersion Version { get; private set; }

    /// <summary>
    /// The length of the request line including its CRLF when <paramref name="bytes"/> starts with exactly the
    /// previous request line (then <see cref="Method"/>, <see cref="Version"/> and <see cref="Target"/> are
    /// its parts), else 0.
    /// </summary>
    public int MatchRequestLine(ReadOnlySpan<byte> bytes)
        => _requestLineLength > 0 && bytes.StartsWith(_headBytes.AsSpan(0, _requestLineLength)) ? _requestLineLength : 0;

    /// <summary>
    /// The length of the previous head when <paramref name="bytes"/> starts with exactly that head, up to
    /// and including its empty line (then <see cref="LineCount"/> and <see cref="LayoutAt"/> describe its
    /// field lines), else 0.
    /// </summary>
    public int MatchHead(ReadOnlySpan<byte> bytes)
        => _requestLineLength > 0 && bytes.StartsWith(_headBytes.AsSpan(0, _headLength)) ? _headLength : 0;

    /// <summary>The number of field lines of the previous head, after <see cref="MatchHead"/> found it again.</summary>
    public int LineCount => _lineCount;

    /// <summary>How field line <paramref name="index"/> of the previous head splits, after <see cref="MatchHead"/> found it again.</summary>
    public FieldLineLayout LayoutAt(int index) => _lines[index];

    /// <summary>
    /// Whether <paramref name="bytes"/> starts with exactly the previous request's field line
    /// <paramref name="index"/>, CRLF included; then <paramref name="layout"/> says how it splits, and its
    /// name and value strings are <see cref="GetName"/>'s and <see cref="GetValue"/>'s for that index.
    /// </summary>
    public bool MatchFieldLine(int index, ReadOnlySpan<byte> bytes, out FieldLineLayout layout)
    {
        if (index < _lineCount)
        {
            layout = _lines[index];
            return bytes.StartsWith(_headBytes.AsSpan(layout.Start, layout.Length));
        }

        layout = default;
        return false;
    }

    /// <summary>The name string of the previous request's field line <paramref name="index"/>, after <see cref="MatchFieldLine"/> found it again.</summary>
    public string NameAt(int index) => _fields[index].Key;

    /// <summary>The value string of the previous request's field line <paramref name="index"/>, after <see cref="MatchFieldLine"/> found it again.</summary>
    public string ValueAt(int index) => _fields[index].Value;

    /// <summary>All fields of the previous head, after <see cref="MatchHead"/> found it again.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Fields => _fields.AsSpan(0, _count);

    /// <summary>Notes where field line <paramref name="index"/> of the head the line readers are reading lies.</summary>
    public void NoteLayout(int index, in FieldLineLayout layout)
    {
        if (index >= _pendingLines.Length)
        {
            Array.Resize(ref _pendingLines, Math.Max(16, index * 2));
        }

        _pendingLines[index] = layout;
    }

    public string GetTarget(ReadOnlySpan<byte> target)
        => Target is { } previous && Ascii.Equals(target, previous) ? previous : Encoding.ASCII.GetString(target);

    /// <summary>The name of field line <paramref name="index"/>; the caller has checked it is a token.</summary>
    public string GetName(int index, ReadOnlySpan<byte> name)
        => index < _count && Ascii.Equals(name, _fields[index].Key) ? _fields[index].Key : KnownHeaderNames.GetString(name);

    /// <summary>The value of field line <paramref name="index"/>, Latin-1 decoded.</summary>
    public string GetValue(int index, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        return index < _count && Ascii.Equals(value, _fields[index].Value) ? _fields[index].Value : Encoding.Latin1.GetString(value);
    }

    /// <summary>
    /// Keeps the strings of <paramref name="head"/>, read by the line readers from <paramref name="headBytes"/>, and
    /// the bytes with the layout noted by <see cref="NoteLayout"/>, for the next request.
    /// </summary>
    /// <param name="head">The head just parsed and validated.</param>
    /// <param name="headBytes">Its bytes, up to and including the empty line.</param>
    /// <param name="requestLineLength">Its request line, including the CRLF.</param>
    public void RememberLayout(HttpRequestHead head, ReadOnlySpan<byte> headBytes, int requestLineLength)
    {
        Remember(head);
        if (headBytes.Length > MaxLayoutHeadLength)
        {
            return;
        }

        if (_headBytes.Length < headBytes.Length)
        {
            _headBytes = new byte[Math.Max(512, headBytes.Length)];
        }

        headBytes.CopyTo(_headBytes);
        _headLength = headBytes.Length;
        _requestLineLength = requestLineLength;
        (_lines, _pendingLines) = (_pendingLines, _lines);
        _lineCount = head.Headers.Count;
    }

    /// <summary>Keeps the strings of <paramref name="head"/>, a request just parsed, for the next one, and forgets the previous layout.</summary>
    private void Remember(HttpRequestHead head)
    {
        _requestLineLength = 0;
        _lineCount = 0;
        List<KeyValuePair<string, string>> headers = head.Headers;
        if (_fields.Length < headers.Count)
        {
            _fields = new KeyValuePair<string, string>[headers.Count];
        }

        for (int i = 0; i < headers.Count; i++)
        {
            // Most strings are the ones already kept: comparing is cheaper than storing (a GC write barrier).
            KeyValuePair<string, string> field = headers[i];
            if (!ReferenceEquals(_fields[i].Key, field.Key) || !ReferenceEquals(_fields[i].Value, field.Value))
            {
                _fields[i] = field;
            }
        }

        // Stale entries past the new count keep strings alive a little longer; harmless, and cheaper than clearing.
        _count = headers.Count;
        Method = head.Method;
        Version = head.Version;
        Target = head.Target;
        Path = head.Path;
        Query = head.Query;
        Host = head.TargetForm == TargetForm.Absolute ? null : head.Host;
    }
}
