using System.Text;
using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>One part as <see cref="RecordingMultipartHandler"/> saw it.</summary>
internal sealed class RecordedPart(PostMetadata metadata)
{
    public PostMetadata Metadata { get; } = metadata;

    /// <summary>All data of the part; null until the part ended.</summary>
    public byte[]? Data { get; set; }

    public string Text => Encoding.UTF8.GetString(Data ?? throw new InvalidOperationException("The part has not ended."));
}
