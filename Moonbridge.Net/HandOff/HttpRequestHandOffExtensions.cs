using System.Text;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.HandOff;

/// <summary>"Hand this request to process X": HTTP-level socket hand-off from a request handler.</summary>
public static class HttpRequestHandOffExtensions
{
    private static readonly byte[] s_badGateway = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();

    /// <summary>
    /// Hands the request's connection to <paramref name="target"/>: runs the <paramref name="flusher"/>
    /// (by default <see cref="HandOffFlushers.Headers()"/>, as Apache does), then passes the connection with
    /// the request head, any body bytes and pipelined requests already received, and a
    /// <see cref="HandOffInfo"/> (<see cref="HandOffInfo.RequestHeadLength"/> set). The receiver's first reads
    /// return the request exactly as this process parsed it. Afterwards this handler must not touch the
    /// request or its socket again; its return value only decides whether the worker is kept.
    /// </summary>
    /// <param name="request">A fresh request: no status sent, no body read.</param>
    /// <param name="target">The receiving process.</param>
    /// <param name="flusher">Run before the hand-off; <see cref="HandOffFlushers.None"/> lets the receiver take the whole exchange.</param>
    /// <param name="tag">Free text for the receiver (<see cref="HandOffInfo.Tag"/>).</param>
    /// <param name="cancellationToken">Stops the hand-off.</param>
    /// <exception cref="HandOffException">
    /// The receiver could not be reached (the request is untouched: answer it, e.g. with 503), or the
    /// transfer failed afterwards (the client got a 502 if no response had started, and the connection is closed).
    /// </exception>
    /// <exception cref="InvalidOperationException">The request is no longer fresh.</exception>
    public static async ValueTask HandOffAsync(this HttpRequest request, HandOffTarget target, HandOffFlusher? flusher = null, string? tag = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        if (!request.Fresh)
        {
            throw new InvalidOperationException("Only a fresh request (no status sent, no body read) can be handed off.");
        }

        byte[] head = FormatHead(request);
        flusher ??= HandOffFlushers.Headers();
        bool responseStarted = false;
        var info = new HandOffInfo { Tag = tag, RequestHeadLength = head.Length };
        try
        {
            await target.SendAsync(
                request.Socket,
                info,
                head,
                async token =>
                {
                    responseStarted = await flusher(request, token).ConfigureAwait(false);
                    return info with { ResponseStarted = responseStarted };
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (HandOffException e) when (e.ReturnedSocket is { } returned)
        {
            // The connection came back with the request still unanswered here: say so, and close.
            await using (returned.ConfigureAwait(false))
            {
                if (!responseStarted)
                {
                    await returned.FlushAsync(s_badGateway, cancellationToken).ConfigureAwait(false);
                }

                await returned.FinishAsync(cancellationToken).ConfigureAwait(false);
            }

            throw new HandOffException(e.Message, e.InnerException);
        }
    }

    /// <summary>Blocking form of <see cref="HandOffAsync"/>, for blocking request handlers.</summary>
    /// <param name="request">A fresh request: no status sent, no body read.</param>
    /// <param name="target">The receiving process.</param>
    /// <param name="flusher">Run before the hand-off; default <see cref="HandOffFlushers.Headers()"/>.</param>
    /// <param name="tag">Free text for the receiver.</param>
    public static void HandOff(this HttpRequest request, HandOffTarget target, HandOffFlusher? flusher = null, string? tag = null)
        => IO.Internal.SyncWait.Wait(request.HandOffAsync(target, flusher, tag));

    /// <summary>The request head as the client meant it: request line, the header fields in order, blank line.</summary>
    private static byte[] FormatHead(HttpRequest request)
    {
        var text = new StringBuilder(256);
        text.Append(request.Method).Append(' ').Append(request.Target).Append(' ').Append(request.Version).Append("\r\n");
        foreach ((string name, string value) in request.Headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        text.Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }
}
