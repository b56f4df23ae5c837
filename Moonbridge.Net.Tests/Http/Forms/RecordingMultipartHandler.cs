using System.Buffers;
using System.Text;
using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>
/// Records what <see cref="MultipartReader"/> reports and checks the handler contract on the way: begin, data
/// (never empty), end, in that order.
/// </summary>
internal sealed class RecordingMultipartHandler : IMultipartHandler
{
    private ArrayBufferWriter<byte>? _data;

    public List<RecordedPart> Parts { get; } = [];

    /// <summary>Every call in order: <c>begin:name</c>, <c>data:length</c>, <c>end</c>.</summary>
    public List<string> Calls { get; } = [];

    public void OnPartBegin(PostMetadata metadata)
    {
        Assert.That(_data, Is.Null, "a part began before the previous one ended");
        Calls.Add($"begin:{metadata.FieldName}");
        Parts.Add(new RecordedPart(metadata));
        _data = new ArrayBufferWriter<byte>();
    }

    public void OnPartData(ReadOnlySpan<byte> data)
    {
        Assert.That(_data, Is.Not.Null, "data outside a part");
        Assert.That(data.Length, Is.Positive, "empty data");
        Calls.Add($"data:{data.Length}");
        _data!.Write(data);
    }

    public void OnPartEnd()
    {
        Assert.That(_data, Is.Not.Null, "a part ended that had not begun");
        Calls.Add("end");
        Parts[^1].Data = _data!.WrittenSpan.ToArray();
        _data = null;
    }

    /// <summary>Everything recorded except how the data was cut into calls, for comparing runs.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (RecordedPart part in Parts)
        {
            text.Append(part.Metadata.FieldName).Append('|')
                .Append(part.Metadata.FileName ?? "<null>").Append('|')
                .Append(part.Metadata.ContentType ?? "<null>").Append('|')
                .AppendJoin(';', part.Metadata.Headers.Select(h => $"{h.Key}={h.Value}")).Append('|')
                .Append(Convert.ToHexString(part.Data ?? [])).Append('\n');
        }

        return text.Append(_data is null ? "closed" : "open").ToString();
    }
}
