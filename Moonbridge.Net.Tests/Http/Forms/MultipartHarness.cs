using System.Text;
using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>Builds multipart bodies and feeds them to a <see cref="MultipartReader"/> in chosen chunk sizes.</summary>
internal static class MultipartHarness
{
    public const string Boundary = "AaB03x";

    public const int DefaultMaxHeaderSize = 16 * 1024;

    /// <summary>Concatenates pieces: strings as UTF-8, byte arrays as they are.</summary>
    public static byte[] Body(params object[] pieces)
    {
        var body = new MemoryStream();
        foreach (object piece in pieces)
        {
            body.Write(piece is byte[] bytes ? bytes : Encoding.UTF8.GetBytes((string)piece));
        }

        return body.ToArray();
    }

    public static RecordingMultipartHandler Parse(byte[] body, int chunkSize = int.MaxValue, int maxHeaderSize = DefaultMaxHeaderSize) =>
        Parse(body, Chunks(body.Length, chunkSize), maxHeaderSize);

    public static RecordingMultipartHandler Parse(byte[] body, IEnumerable<int> chunkSizes, int maxHeaderSize = DefaultMaxHeaderSize)
    {
        var handler = new RecordingMultipartHandler();
        var reader = new MultipartReader(Boundary, maxHeaderSize, handler);
        int at = 0;
        foreach (int size in chunkSizes)
        {
            reader.Write(body.AsSpan(at, size));
            at += size;
        }

        Assert.That(at, Is.EqualTo(body.Length), "the chunk sizes must cover the body");
        reader.Complete();
        return handler;
    }

    public static IEnumerable<int> Chunks(int length, int size)
    {
        for (int at = 0; at < length; at += size)
        {
            yield return Math.Min(size, length - at);
        }
    }
}
