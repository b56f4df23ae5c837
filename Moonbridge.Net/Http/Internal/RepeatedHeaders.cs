using System.Text;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The header fields of the previous response, in the order the handler sent them, with what was learned from each
/// and the field's line as it goes on the wire. A handler that answers the same way again passes the same strings
/// (literals, cached values): a field that matches by reference at the same position skips validation,
/// classification and encoding, as a repeated request head skips parsing.
/// </summary>
internal sealed class RepeatedHeaders
{
    private const int Remembered = 8;

    /// <summary>Longer lines are encoded each time: remembering them would keep their bytes with every pooled connection.</summary>
    private const int MaximumRememberedLine = 128;

    private Entry[]? _entries;
    private int _position;

    /// <summary>A new header section begins (a status was sent, or a new exchange).</summary>
    public void Restart() => _position = 0;

    /// <summary>
    /// Whether this field repeats the previous response's field at the same position, with that field's facts and its
    /// encoded line (empty when it was too long to keep); advances the position either way.
    /// </summary>
    public bool TryRepeat(string name, string value, out HeaderFacts facts, out ReadOnlySpan<byte> line)
    {
        int position = _position++;
        if (_entries is { } entries && position < Remembered
            && ReferenceEquals(entries[position].Name, name) && ReferenceEquals(entries[position].Value, value))
        {
            ref Entry entry = ref entries[position];
            facts = entry.Facts;
            line = entry.Line.AsSpan(0, entry.LineLength);
            return true;
        }

        facts = default;
        line = default;
        return false;
    }

    /// <summary>
    /// Keeps a field that was validated and classified, at the position the last <see cref="TryRepeat"/> looked at, with
    /// its line (<c>name: value CRLF</c>, Latin-1) unless that is long; the entry's line buffer is reused. Returns the
    /// line, empty when it was not kept.
    /// </summary>
    public ReadOnlySpan<byte> Remember(string name, string value, HeaderFacts facts)
    {
        int position = _position - 1;
        if (position is < 0 or >= Remembered)
        {
            return default;
        }

        ref Entry entry = ref (_entries ??= new Entry[Remembered])[position];
        entry.Name = name;
        entry.Value = value;
        entry.Facts = facts;
        int length = name.Length + value.Length + 4;
        if (length > MaximumRememberedLine)
        {
            entry.LineLength = 0;
            return default;
        }

        if (entry.Line is null || entry.Line.Length < length)
        {
            entry.Line = new byte[(length + 15) & ~15];
        }

        Span<byte> line = entry.Line;
        Encoding.Latin1.GetBytes(name, line);
        ": "u8.CopyTo(line[name.Length..]);
        Encoding.Latin1.GetBytes(value, line[(name.Length + 2)..]);
        "\r\n"u8.CopyTo(line[(length - 2)..]);
        entry.LineLength = length;
        return line[..length];
    }

    private struct Entry
    {
        public string? Name;
        public string? Value;
        public HeaderFacts Facts;
        public byte[]? Line;
        public int LineLength;
    }
}
