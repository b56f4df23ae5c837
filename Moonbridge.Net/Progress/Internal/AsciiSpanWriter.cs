using System.Globalization;

namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// Appends ASCII output to a span sized for the worst case up front, so formatting needs one
/// <c>GetSpan</c>/<c>Advance</c> pair and no bounds bookkeeping per piece.
/// </summary>
internal ref struct AsciiSpanWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;

    public int Written { get; private set; }

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Written..]);
        Written += bytes.Length;
    }

    public void Write(long value)
    {
        // Only fails if the caller sized the buffer wrong, which is a bug, not an input problem.
        if (!value.TryFormat(_buffer[Written..], out int length, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("The progress output buffer is too small.");
        }

        Written += length;
    }

    /// <summary>Appends text already validated to be ASCII.</summary>
    public void WriteAscii(scoped ReadOnlySpan<char> text)
    {
        Span<byte> target = _buffer.Slice(Written, text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            target[i] = (byte)text[i];
        }

        Written += text.Length;
    }
}
