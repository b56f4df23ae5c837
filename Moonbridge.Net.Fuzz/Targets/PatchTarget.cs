using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.ByteRange;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Fuzz.Targets;

/// <summary>
/// The byte-range PATCH parsers (draft-wright-http-patch-byterange): the input's first byte picks the form (modulo 3:
/// <c>message/byterange</c>, <c>multipart/byteranges</c> with boundary <c>SEP</c>, binary <c>application/byteranges</c>),
/// the rest is the document. Each part's <c>Content-Range</c> and <c>Content-Length</c> go through the server's own
/// rules (<see cref="ByteRangePatchFraming.PartRange"/>, <see cref="PatchRange"/>) and its content is read as the server
/// reads it, exactly the range's length. Properties: the only exception is an <see cref="HttpStatusException"/>; a
/// parsed range is consistent; nothing waits on content already in memory; and the parts, their bytes and the
/// rejection's status are the same however the document arrives in reads.
/// </summary>
internal sealed class PatchTarget : IFuzzTarget
{
    private const string Boundary = "SEP";

    public string Name => "patch";

    public void Check(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        int form = input[0] % 3;
        byte[] document = input[1..];
        string whole = Apply(form, document, []);
        foreach (int[] cuts in Cuts.Plans(document))
        {
            Expect.Same(whole, Apply(form, document, cuts), Cuts.Describe(cuts));
        }
    }

    private static string Apply(int form, byte[] document, int[] cuts)
    {
        var parts = new StringBuilder();
        Random choices = Cuts.Seeded(document);
        var content = new RequestContent(new PieceSource(document, cuts), CancellationToken.None);
        Func<IReadOnlyDictionary<string, string>, IContentSource, ValueTask> applyPart = (fields, part) => ReadPart(fields, part, atomic: form != 0, parts, choices);
        try
        {
            Synchronous.Run(form switch
            {
                0 => ByteRangePatchFraming.ApplySingleAsync(content, applyPart),
                1 => ByteRangePatchFraming.ApplyMultipartAsync(content, Boundary, applyPart),
                _ => ByteRangesDocument.ApplyAsync(content, applyPart),
            });
            return "applied " + parts;
        }
        catch (HttpStatusException e)
        {
            return $"rejected {e.StatusCode} after {parts}";
        }
    }

    /// <summary>What <c>ByteRangeUploads.ApplyPartAsync</c> does with a part, the upload left out: it reads the range's bytes.</summary>
    private static ValueTask ReadPart(IReadOnlyDictionary<string, string> fields, IContentSource part, bool atomic, StringBuilder parts, Random choices)
    {
        PatchRange range = ByteRangePatchFraming.PartRange(fields);
        Expect.True(range.First is null ? range.Last is null && range.CompleteLength is not null : range.First >= 0, "bytes */N or a range from a first byte");
        Expect.True(range.Last is not { } last || (last >= range.First && range.Length > 0), "the last byte is not before the first");
        Expect.True(range.CompleteLength is not { } total || (range.Last ?? range.First ?? -1) < total, "the range lies inside the complete length");
        parts.Append('[').Append(range).Append(' ');
        if (range.First is not null)
        {
            if (atomic && range.Length is null)
            {
                throw new HttpStatusException(400, "A part of a multi-part patch needs a range with a known end");
            }

            long read = ReadAll(range.Length is { } length ? RequestContent.Limit(part, length) : part, parts, choices);
            if (range.Length is { } wanted && read < wanted)
            {
                throw new HttpStatusException(400, "The patch ended before its part's range did");
            }
        }

        parts.Append(']');
        return ValueTask.CompletedTask;
    }

    private static long ReadAll(IContentSource source, StringBuilder parts, Random choices)
    {
        byte[] buffer = new byte[64];
        long total = 0;
        while (true)
        {
#pragma warning disable CA5394 // Read sizes for a fuzz target, seeded by the input so that a run repeats.
            int read = Synchronous.Run(source.ReadAsync(buffer.AsMemory(0, 1 + choices.Next(buffer.Length)), CancellationToken.None));
#pragma warning restore CA5394
            if (read == 0)
            {
                return total;
            }

            parts.Append(Convert.ToHexString(buffer, 0, read));
            total += read;
        }
    }

    /// <summary>The document as a request body that arrives in the given pieces: one read never crosses into the next piece.</summary>
    private sealed class PieceSource(byte[] document, int[] cuts) : IContentSource
    {
        private readonly ArraySegment<byte>[] _pieces = [.. Cuts.Pieces(document, cuts)];
        private int _index;
        private int _offset;

        public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            while (_index < _pieces.Length && _offset == _pieces[_index].Count)
            {
                _index++;
                _offset = 0;
            }

            if (_index == _pieces.Length)
            {
                return ValueTask.FromResult(0);
            }

            int count = Math.Min(destination.Length, _pieces[_index].Count - _offset);
            _pieces[_index].AsSpan(_offset, count).CopyTo(destination.Span);
            _offset += count;
            return ValueTask.FromResult(count);
        }
    }
}
