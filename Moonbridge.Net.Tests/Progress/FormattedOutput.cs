using System.Buffers;
using System.Text;
using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>Runs the formatter into a buffer and returns the bytes as text, for exact comparisons.</summary>
internal static class FormattedOutput
{
    public static string Of(ProgressSnapshot snapshot, ProgressFormat format, string? callback = null)
    {
        var output = new ArrayBufferWriter<byte>();
        ProgressFormatter.Write(output, snapshot, format, callback);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }

    public static string OfServerSentEvent(ProgressSnapshot snapshot)
    {
        var output = new ArrayBufferWriter<byte>();
        ProgressFormatter.WriteServerSentEvent(output, snapshot);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }
}
