namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// The JSON object of lighttpd2's <c>progress.show</c>, byte for byte: the same member order and the
/// same <c>": "</c> and <c>", "</c> spacing, so clients parsing it loosely keep working.
/// </summary>
internal static class ProgressJson
{
    /// <summary>The longest object: running, with four 20-character numbers.</summary>
    public const int MaxLength = 192;

    public static void Write(ref AsciiSpanWriter writer, in ProgressSnapshot snapshot)
    {
        switch (snapshot.State)
        {
            case ProgressState.Running:
                writer.Write("{\"state\": \"running\""u8);
                WriteFigures(ref writer, snapshot);
                break;
            case ProgressState.Done:
                writer.Write("{\"state\": \"done\""u8);
                WriteFigures(ref writer, snapshot);
                break;
            case ProgressState.Error:
                // lighttpd2 documents status as the only member of an error.
                writer.Write("{\"state\": \"error\", \"status\": "u8);
                writer.Write(snapshot.Status);
                writer.Write("}"u8);
                break;
            default:
                writer.Write("{\"state\": \"unknown\"}"u8);
                break;
        }
    }

    private static void WriteFigures(ref AsciiSpanWriter writer, in ProgressSnapshot snapshot)
    {
        writer.Write(", \"received\": "u8);
        writer.Write(snapshot.Received);
        writer.Write(", \"sent\": "u8);
        writer.Write(snapshot.Sent);

        // An unknown size is left out rather than written as null or -1: a client computing
        // received / request_size then gets NaN from undefined instead of a wrong bar, and lighttpd2
        // would have printed 18446744073709551615 for a chunked upload.
        if (snapshot.RequestSize is { } requestSize)
        {
            writer.Write(", \"request_size\": "u8);
            writer.Write(requestSize);
        }

        if (snapshot.ResponseSize is { } responseSize)
        {
            writer.Write(", \"response_size\": "u8);
            writer.Write(responseSize);
        }

        writer.Write("}"u8);
    }
}
