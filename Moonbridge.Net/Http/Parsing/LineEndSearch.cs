using System.Buffers;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Finds the LF that ends a bounded line at the start of input that grows between calls, remembering how
/// far it already looked so that a line trickling in byte by byte is searched once, not once per byte.
/// </summary>
internal struct LineEndSearch
{
    /// <summary>Bytes of the unfinished line at the start of the input already known to hold no LF.</summary>
    public int SearchedLength { get; private set; }

    public void Reset() => SearchedLength = 0;

    /// <summary>
    /// True with the length of the line including its LF, or with -1 when no line of at most
    /// <paramref name="maxLength"/> bytes ends there; false when the input ends before either is known.
    /// <paramref name="input"/> must start at the same line as in the previous call until this returns true.
    /// </summary>
    public bool TryFind(in ReadOnlySequence<byte> input, int maxLength, out int lineLength)
    {
        int searchEnd = (int)Math.Min(input.Length, maxLength);
        if (SearchedLength < searchEnd)
        {
            var reader = new SequenceReader<byte>(input.Slice(SearchedLength, searchEnd - SearchedLength));
            if (reader.TryAdvanceTo((byte)'\n'))
            {
                lineLength = SearchedLength + (int)reader.Consumed;
                SearchedLength = 0;
                return true;
            }

            SearchedLength = searchEnd;
        }

        lineLength = -1;
        return input.Length >= maxLength;
    }
}
