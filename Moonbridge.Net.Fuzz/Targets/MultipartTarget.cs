using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Fuzz.Targets;

/// <summary>
/// The streaming <c>multipart/form-data</c> reader (<see cref="MultipartReader"/>, boundary <c>AaB03x</c>), with a
/// tight and the default part-header limit. The only exception allowed is its rejection (<see cref="FormParseException"/>);
/// the handler sees begin, non-empty data, end, in that order; the reader holds a bounded number of bytes; and the
/// parts, their data and the rejection's status are the same however the body is cut.
/// </summary>
internal sealed class MultipartTarget : IFuzzTarget
{
    private const string Boundary = "AaB03x";

    public string Name => "multipart";

    public void Check(byte[] input)
    {
        foreach (int maxHeaderSize in (ReadOnlySpan<int>)[64, 16 * 1024])
        {
            string whole = Read(input, [], maxHeaderSize);
            foreach (int[] cuts in Cuts.Plans(input))
            {
                Expect.Same(whole, Read(input, cuts, maxHeaderSize), Cuts.Describe(cuts));
            }
        }
    }

    internal static string Read(byte[] input, int[] cuts, int maxHeaderSize)
    {
        var handler = new RecordingHandler();
        var reader = new MultipartReader(Boundary, maxHeaderSize, handler);
        try
        {
            foreach (ArraySegment<byte> piece in Cuts.Pieces(input, cuts))
            {
                reader.Write(piece);
                Expect.True(reader.RetainedCapacity <= (2 * maxHeaderSize) + 64, "the reader holds a bounded amount");
            }

            reader.Complete();
            return "accepted " + handler.Describe();
        }
        catch (FormParseException e)
        {
            return $"rejected {e.StatusCode} after {handler.Describe()}";
        }
    }

    /// <summary>Records parts as text and checks the handler contract: begin, non-empty data, end.</summary>
    private sealed class RecordingHandler : IMultipartHandler
    {
        private readonly System.Text.StringBuilder _text = new();
        private bool _open;

        public void OnPartBegin(PostMetadata metadata)
        {
            Expect.True(!_open, "a part begins only after the previous one ended");
            _open = true;
            _text.Append('[').Append(metadata.FieldName).Append('|').Append(metadata.FileName ?? "<null>").Append('|')
                .Append(metadata.ContentType ?? "<null>").Append('|')
                .AppendJoin(';', metadata.Headers.Select(h => $"{h.Key}={h.Value}")).Append('|');
        }

        public void OnPartData(ReadOnlySpan<byte> data)
        {
            Expect.True(_open && !data.IsEmpty, "data is non-empty and inside a part");
            _text.Append(Convert.ToHexString(data));
        }

        public void OnPartEnd()
        {
            Expect.True(_open, "a part ends only after it began");
            _open = false;
            _text.Append(']');
        }

        public string Describe() => _text.Append(_open ? "open" : "closed").ToString();
    }
}
