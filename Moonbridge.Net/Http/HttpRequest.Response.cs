using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

/// <summary>The response as a handler sends it, over the connection's <see cref="ResponseWriter"/>.</summary>
public sealed partial class HttpRequest
{
    /// <summary>True once a final status was given with <see cref="SendStatus(string)"/>.</summary>
    public bool StatusSent => Response.StatusSent;

    /// <summary>
    /// Sets the response status, e.g. <c>"200 OK"</c> or <c>"404 Not Found"</c> (Lua <c>send_status</c>).
    /// A 1xx status is an interim response: add headers, call <see cref="FinishHeaders"/>, then send the
    /// final status. A second final status throws.
    /// </summary>
    /// <param name="status">Three digits, a space and a reason phrase.</param>
    public void SendStatus(string status) => Response.SendStatus(status);

    /// <summary>Sets the response status from a code, with its standard reason phrase.</summary>
    /// <param name="statusCode">The status code, 101 to 599.</param>
    public void SendStatus(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 101);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        Response.SendStatus($"{statusCode} {StatusLine.ReasonPhrase(statusCode)}");
    }

    /// <summary>
    /// Adds a response header (Lua <c>send_header</c>); only after a status and before the header section
    /// is finished. Names must be tokens and values free of CR, LF and NUL (else <see cref="ArgumentException"/>).
    /// <c>Content-Length</c> switches to fixed-length mode; a <c>Connection: close</c> closes after the response.
    /// Framing (<c>Transfer-Encoding</c>) is the server's and cannot be set.
    /// </summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value.</param>
    public void SendHeader(string name, string value) => Response.SendHeader(name, value);

    /// <summary>
    /// Closes the connection after this response, with a <c>Connection: close</c> header (Lua
    /// <c>close_after_finish</c>); only before the header section is finished.
    /// </summary>
    public void CloseAfterFinish() => Response.CloseAfterFinish();

    /// <summary>Finishes and sends the header section (Lua <c>finish_headers</c>); an interim (1xx) response is sent at once.</summary>
    public void FinishHeaders() => SyncWait.Completed(Response.FinishHeadersAsync<BlockingTransportWaiter>());

    /// <summary>Finishes and sends the header section without blocking a thread.</summary>
    public ValueTask FinishHeadersAsync() => Response.FinishHeadersAsync<AsyncTransportWaiter>();

    /// <summary>
    /// Sends response body data (Lua <c>send_data</c>); ignored for HEAD. Small pieces are gathered to
    /// <see cref="HttpOptions.MinimumOutputChunkSize"/> before a chunk goes out; a response finished while
    /// everything is still gathered is sent with a Content-Length.
    /// </summary>
    /// <param name="data">The bytes to send.</param>
    public void SendData(ReadOnlySpan<byte> data) => SyncWait.Completed(Response.SendDataAsync<BlockingTransportWaiter>(data));

    /// <summary>Sends UTF-8 text as response body data (Lua <c>send_data</c>).</summary>
    /// <param name="text">The text to send.</param>
    public void SendData(string text) => SyncWait.Completed(Response.SendTextAsync<BlockingTransportWaiter>(text));

    /// <summary>Sends response body data without blocking a thread.</summary>
    /// <param name="data">The bytes to send; they are copied or queued before the method returns.</param>
    public ValueTask SendDataAsync(ReadOnlyMemory<byte> data) => Response.SendDataAsync<AsyncTransportWaiter>(data.Span);

    /// <summary>Sends UTF-8 text as response body data without blocking a thread.</summary>
    /// <param name="text">The text to send.</param>
    public ValueTask SendDataAsync(string text) => Response.SendTextAsync<AsyncTransportWaiter>(text);

    /// <summary>Sends what is gathered and flushes the connection (Lua <c>flush</c>); the response is not finished.</summary>
    public void Flush() => SyncWait.Completed(Response.FlushAsync<BlockingTransportWaiter>());

    /// <summary>Flushes without blocking a thread.</summary>
    public ValueTask FlushAsync() => Response.FlushAsync<AsyncTransportWaiter>();

    /// <summary>
    /// Completes the response (Lua <c>finish</c>): sends the header section if still pending, the rest of
    /// the body and the end of a chunked body, and flushes. Idempotent; called automatically when the
    /// handler returns. Fewer bytes than a set Content-Length throws.
    /// </summary>
    public void Finish() => SyncWait.Completed(Response.FinishAsync<BlockingTransportWaiter>(flush: true));

    /// <summary>Completes the response without blocking a thread.</summary>
    public ValueTask FinishAsync() => Response.FinishAsync<AsyncTransportWaiter>(flush: true);

    /// <summary>
    /// Completes the response as <see cref="Finish()"/> does, ending a chunked body with one trailer field, so
    /// a client can learn something only known at the end (e.g. a <c>Warning</c> that the body may be
    /// incomplete). A response framed otherwise (a Content-Length, HTTP/1.0) has no place for a trailer and
    /// finishes without it.
    /// </summary>
    /// <param name="trailerName">The trailer field's name (a token).</param>
    /// <param name="trailerValue">The trailer field's value, free of CR, LF and NUL.</param>
    public void Finish(string trailerName, string trailerValue)
        => SyncWait.Completed(Response.FinishWithTrailerAsync<BlockingTransportWaiter>(trailerName, trailerValue));

    /// <summary>Completes the response with one trailer field without blocking a thread; see <see cref="Finish(string, string)"/>.</summary>
    /// <param name="trailerName">The trailer field's name (a token).</param>
    /// <param name="trailerValue">The trailer field's value, free of CR, LF and NUL.</param>
    public ValueTask FinishAsync(string trailerName, string trailerValue)
        => Response.FinishWithTrailerAsync<AsyncTransportWaiter>(trailerName, trailerValue);
}
