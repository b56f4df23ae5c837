using System.Buffers;
using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress;

/// <summary>
/// Writes a <see cref="ProgressSnapshot"/> the way lighttpd2's <c>progress.show</c> does (JSON, JSONP,
/// legacy), and as Server-Sent Events for clients that want pushes instead of polling.
/// </summary>
/// <remarks>
/// <para>
/// The JSON object has exactly lighttpd2's members, order and spacing, e.g.
/// <c>{"state": "running", "received": 123456, "sent": 0, "request_size": 200000, "response_size": 0}</c>.
/// <c>received</c>, <c>sent</c>, <c>request_size</c> and <c>response_size</c> appear only for
/// <c>running</c> and <c>done</c>; <c>status</c> only for <c>error</c>; <c>unknown</c> has just the state.
/// Unlike lighttpd2, a size that is not known (a chunked upload, a streamed response) is left out
/// instead of being printed as a huge unsigned number.
/// </para>
/// <para>Output is ASCII; every piece is a pre-encoded constant or a number, so no JSON serializer is involved.</para>
/// </remarks>
public static class ProgressFormatter
{
    /// <summary>The JSONP callback when the client names none, as in lighttpd2.</summary>
    public const string DefaultCallback = "progress";

    /// <summary>The query parameter lighttpd2 takes the JSONP callback name from.</summary>
    public const string CallbackQueryParameterName = "X-Progress-Callback";

    /// <summary>The longest accepted callback name.</summary>
    public const int MaxCallbackLength = 128;

    /// <summary>The content type of a Server-Sent Events stream.</summary>
    public const string ServerSentEventsContentType = "text/event-stream";

    // Worst case of anything written here: the SSE framing or a callback around the longest object.
    private const int MaxOutputLength = MaxCallbackLength + ProgressJson.MaxLength + 64;

    /// <summary>
    /// The event that closes a progress stream: <c>event: end</c> with the data <c>end</c> (non-empty, so every
    /// client library dispatches it). Browsers reconnect an <c>EventSource</c> whose stream simply ends, so
    /// the page should call <c>close()</c> on this event; the last <c>progress</c> event before it carries the
    /// final state.
    /// </summary>
    public static ReadOnlySpan<byte> ServerSentEventsEnd => "event: end\ndata: end\n\n"u8;

    /// <summary>Writes the snapshot in a <c>progress.show</c> format.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="snapshot">The state to write.</param>
    /// <param name="format">The format.</param>
    /// <param name="callback">
    /// The JSONP function name (only for <see cref="ProgressFormat.Jsonp"/>); null for <see cref="DefaultCallback"/>.
    /// Check a client-supplied name with <see cref="IsValidCallback"/> first and answer 400 when it fails.
    /// </param>
    /// <exception cref="ArgumentException">The format is JSONP and the callback is not a valid name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The format is not defined.</exception>
    public static void Write(IBufferWriter<byte> output, ProgressSnapshot snapshot, ProgressFormat format = ProgressFormat.Json, string? callback = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ReadOnlySpan<char> callbackName = callback ?? DefaultCallback;
        if (format == ProgressFormat.Jsonp && !IsValidCallback(callbackName))
        {
            throw new ArgumentException("A JSONP callback must be a dotted path of ASCII JavaScript identifiers.", nameof(callback));
        }

        var writer = new AsciiSpanWriter(output.GetSpan(MaxOutputLength));
        switch (format)
        {
            case ProgressFormat.Json:
                ProgressJson.Write(ref writer, snapshot);
                break;
            case ProgressFormat.Jsonp:
                writer.WriteAscii(callbackName);
                writer.Write("("u8);
                ProgressJson.Write(ref writer, snapshot);
                writer.Write(")"u8);
                break;
            case ProgressFormat.Legacy:
                writer.Write("new Object("u8);
                ProgressJson.Write(ref writer, snapshot);
                writer.Write(")"u8);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown progress format.");
        }

        output.Advance(writer.Written);
    }

    /// <summary>
    /// Whether a JSONP callback name is safe to echo: a dotted path of ASCII JavaScript identifiers
    /// (<c>a</c>, <c>a.b</c>, <c>$x._y1</c>), each part starting with a letter, <c>_</c> or <c>$</c>, at most
    /// <see cref="MaxCallbackLength"/> characters, and no part naming something that runs code, navigates or
    /// reaches the page (<c>eval</c>, <c>Function</c>, <c>constructor</c>, <c>location</c>, <c>document</c>,
    /// <c>setTimeout</c> and the like), so <c>eval</c> or <c>self.location.assign</c> are refused.
    /// </summary>
    /// <param name="name">The candidate name, e.g. the <c>X-Progress-Callback</c> query parameter.</param>
    /// <returns>True when valid; false for anything else, e.g. empty, <c>alert(1)//</c>, <c>a;b</c>, <c>&lt;script&gt;</c> or <c>eval</c>.</returns>
    public static bool IsValidCallback(ReadOnlySpan<char> name) => JavaScriptIdentifierPath.IsValid(name, MaxCallbackLength);

    /// <summary>
    /// The content type for a format: <c>application/json</c> for JSON, <c>text/javascript</c> for JSONP and
    /// legacy (RFC 9239 made <c>text/javascript</c> the standard and <c>application/javascript</c> obsolete;
    /// browsers run both, also under <c>X-Content-Type-Options: nosniff</c>). lighttpd2 sent
    /// <c>application/x-javascript</c> for all three.
    /// </summary>
    /// <param name="format">The format.</param>
    /// <returns>The media type, without parameters (the output is ASCII).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The format is not defined.</exception>
    public static string ContentType(ProgressFormat format) => format switch
    {
        ProgressFormat.Json => "application/json",
        ProgressFormat.Jsonp or ProgressFormat.Legacy => "text/javascript",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown progress format."),
    };

    /// <summary>
    /// Writes the snapshot as one Server-Sent Event: <c>event: progress</c>, <c>id:</c> the
    /// <see cref="ProgressSnapshot.Version"/>, <c>data:</c> the JSON object, and the blank line that
    /// dispatches it. A reconnecting <c>EventSource</c> sends the id back as <c>Last-Event-ID</c>, which
    /// the server can pass as <c>afterVersion</c> to <see cref="ProgressEntry.WaitForChangeAsync"/>.
    /// </summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="snapshot">The state to write.</param>
    public static void WriteServerSentEvent(IBufferWriter<byte> output, ProgressSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new AsciiSpanWriter(output.GetSpan(MaxOutputLength));
        writer.Write("event: progress\nid: "u8);
        writer.Write(snapshot.Version);
        writer.Write("\ndata: "u8);
        ProgressJson.Write(ref writer, snapshot);
        writer.Write("\n\n"u8);
        output.Advance(writer.Written);
    }
}
