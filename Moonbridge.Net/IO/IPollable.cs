namespace Moonbridge.Net.IO;

/// <summary>
/// Something <see cref="MoonbridgeIO.Poll(IEnumerable{IPollable}?, IEnumerable{MoonSocket}?, TimeSpan?, bool)"/>
/// can wait on for input: a <see cref="MoonSocket"/> (data or end of input buffered) or a
/// <see cref="MoonListener"/> (a connection pending). Implemented only by this library.
/// </summary>
public interface IPollable
{
    /// <summary>Whether input is available now, without waiting.</summary>
    internal bool IsReadable { get; }

    /// <summary>Completes when input may be available; may complete spuriously.</summary>
    internal ValueTask WaitReadableAsync(CancellationToken cancellationToken);
}
