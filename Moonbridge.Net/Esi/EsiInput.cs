using System.Text;

namespace Moonbridge.Net.Esi;

/// <summary>
/// The input of one <see cref="EsiHandler"/> call (mod_esi's <c>Input</c>): the whole input or one body chunk,
/// with the state the handler returned for the previous chunk. The factories let a handler be called in a unit test.
/// </summary>
public readonly struct EsiInput
{
    private EsiInput(EsiInputKind kind, ReadOnlyMemory<byte> data, object? state)
    {
        Kind = kind;
        Data = data;
        State = state;
    }

    /// <summary>Which part of the input this is.</summary>
    public EsiInputKind Kind { get; }

    /// <summary>The bytes; valid only during the call (the server reuses the buffer for the next chunk).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>What the handler returned for the previous chunk; null for <see cref="EsiInputKind.Whole"/>, <see cref="EsiInputKind.First"/> and a lone <see cref="EsiInputKind.Last"/>.</summary>
    public object? State { get; }

    /// <summary>True for <see cref="EsiInputKind.Last"/> and <see cref="EsiInputKind.Whole"/>: no more input follows.</summary>
    public bool IsFinal => Kind is EsiInputKind.Whole or EsiInputKind.Last;

    /// <summary>The data as UTF-8 text (mod_esi hands whole input over as a string).</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>All input at once.</summary>
    /// <param name="data">The body, or the query string.</param>
    public static EsiInput Whole(ReadOnlyMemory<byte> data) => new(EsiInputKind.Whole, data, null);

    /// <summary>The first of several body chunks.</summary>
    /// <param name="data">The chunk.</param>
    public static EsiInput First(ReadOnlyMemory<byte> data) => new(EsiInputKind.First, data, null);

    /// <summary>A middle body chunk.</summary>
    /// <param name="data">The chunk.</param>
    /// <param name="state">What the handler returned for the previous chunk.</param>
    public static EsiInput Continue(ReadOnlyMemory<byte> data, object? state) => new(EsiInputKind.Continue, data, state);

    /// <summary>The final body chunk.</summary>
    /// <param name="data">The chunk, possibly empty.</param>
    /// <param name="state">What the handler returned for the previous chunk, or null when this is the only one.</param>
    public static EsiInput Last(ReadOnlyMemory<byte> data, object? state) => new(EsiInputKind.Last, data, state);

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} ({Data.Length} bytes)";
}
