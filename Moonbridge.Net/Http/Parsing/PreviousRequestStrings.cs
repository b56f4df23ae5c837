using System.Text;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// The strings of the previous request on a connection. A client sends much the same head again and
/// again (the same target, Host, Accept, User-Agent...), so a field that matches its counterpart in the
/// previous request, byte for byte and at the same position, reuses that string: a repeated request then
/// allocates nothing. Only ASCII text is compared; anything else is decoded afresh.
/// </summary>
internal sealed class PreviousRequestStrings
{
    private string[] _names = [];
    private string[] _values = [];
    private int _count;

    /// <summary>The previous request target, and the path and query taken from it.</summary>
    public string? Target { get; private set; }

    public string? Path { get; private set; }

    public string? Query { get; private set; }

    /// <summary>The previous request's Host value, which passed validation.</summary>
    public string? Host { get; private set; }

    public string GetTarget(ReadOnlySpan<byte> target)
        => Target is { } previous && Ascii.Equals(target, previous) ? previous : Encoding.ASCII.GetString(target);

    /// <summary>The name of field line <paramref name="index"/>; the caller has checked it is a token.</summary>
    public string GetName(int index, ReadOnlySpan<byte> name)
        => index < _count && Ascii.Equals(name, _names[index]) ? _names[index] : KnownHeaderNames.GetString(name);

    /// <summary>The value of field line <paramref name="index"/>, Latin-1 decoded.</summary>
    public string GetValue(int index, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        return index < _count && Ascii.Equals(value, _values[index]) ? _values[index] : Encoding.Latin1.GetString(value);
    }

    /// <summary>Keeps the strings of <paramref name="head"/>, a request just parsed, for the next one.</summary>
    public void Remember(HttpRequestHead head)
    {
        List<KeyValuePair<string, string>> headers = head.Headers;
        if (_names.Length < headers.Count)
        {
            _names = new string[headers.Count];
            _values = new string[headers.Count];
        }

        for (int i = 0; i < headers.Count; i++)
        {
            _names[i] = headers[i].Key;
            _values[i] = headers[i].Value;
        }

        // Stale entries past the new count keep strings alive a little longer; harmless, and cheaper than clearing.
        _count = headers.Count;
        Target = head.Target;
        Path = head.Path;
        Query = head.Query;
        Host = head.TargetForm == TargetForm.Absolute ? null : head.Host;
    }
}
