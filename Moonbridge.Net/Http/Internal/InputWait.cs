using System.IO.Pipelines;

namespace Moonbridge.Net.Http.Internal;

/// <summary>What a bounded wait for input brought: the input, or nothing because its time ran out (<c>default</c>).</summary>
internal readonly struct InputWait(ReadResult result)
{
    private readonly ReadResult _result = result;
    private readonly bool _arrived = true;

    /// <summary>True with the input when some arrived (or its end); false when the wait timed out.</summary>
    public bool Arrived(out ReadResult result)
    {
        result = _result;
        return _arrived;
    }
}
