namespace Moonbridge.Net.Uploads.Internal;

/// <summary>Where the bytes of an upload come from: a request's whole content, or one part of it (a byte-range patch's part).</summary>
internal interface IContentSource
{
    /// <summary>Reads the next bytes into <paramref name="destination"/>; 0 at the end of this source.</summary>
    ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken);
}
