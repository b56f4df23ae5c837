using System.Net;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>Request content whose length is not known up front, so HttpClient sends it chunked.</summary>
internal sealed class UnknownLengthContent(byte[] data, int pieceLength) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (int offset = 0; offset < data.Length; offset += pieceLength)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(pieceLength, data.Length - offset)));
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
