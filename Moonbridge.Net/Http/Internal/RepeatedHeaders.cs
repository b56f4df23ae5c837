namespace Moonbridge.Net.Http.Internal;

/// <summary>What a response header field means to the response writer.</summary>
internal enum HeaderRole : byte
{
    Other,
    ContentLength,
    Connection,
    Date,
}

/// <summary>A header field as the response writer understood it: its role, the length it declares, whether it asks to close.</summary>
internal readonly record struct HeaderFacts(HeaderRole Role, long ContentLength = -1, bool Closes = false);

/// <summary>
/// The header fields of the previous response, in the order the handler sent them, with what was learned from each.
/// A handler that answers the same way again passes the same strings (literals, cached values): a field that matches
/// by reference at the same position skips validation and classification, as a repeated request head skips parsing.
/// </summary>
internal sealed class RepeatedHeaders
{
    private const int Remembered = 8;

    private Entry[]? _entries;
    private int _position;

    /// <summary>A new header section begins (a status was sent, or a new exchange).</summary>
    public void Restart() => _position = 0;

    /// <summary>Whether this field repeats the previous response's field at the same position; advances the position either way.</summary>
    public bool TryRepeat(string name, string value, out HeaderFacts facts)
    {
        int position = _position++;
        if (_entries is { } entries && position < Remembered
            && ReferenceEquals(entries[position].Name, name) && ReferenceEquals(entries[position].Value, value))
        {
            facts = entries[position].Facts;
            return true;
        }

        facts = default;
        return false;
    }

    /// <summary>Keeps a field that was validated and classified, at the position the last <see cref="TryRepeat"/> looked at.</summary>
    public void Remember(string name, string value, HeaderFacts facts)
    {
        int position = _position - 1;
        if (position is >= 0 and < Remembered)
        {
            (_entries ??= new Entry[Remembered])[position] = new Entry(name, value, facts);
        }
    }

    private readonly record struct Entry(string Name, string Value, HeaderFacts Facts);
}
