using System.Net.Sockets;
using Moonbridge.Net.Esi.Internal;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Esi;

/// <summary>How the router ends a session: after the script's last call, on its timeout, or on its failure.</summary>
public sealed partial class EsiSession
{
    /// <summary>
    /// The warning a truncated body ends with, as mod_esi sends it (in the syntax of RFC 7234 §5.5, with the
    /// pseudonym <c>-</c> as agent): code 199, "miscellaneous warning".
    /// </summary>
    private const string WarningPrefix = "199 - \"body maybe incomplete, ";

    /// <summary>After the script's last call returned: completes the response, or answers 500 when nothing came.</summary>
    /// <returns>The local path to serve instead, when the script redirected internally.</returns>
    internal ValueTask<string?> CompleteAsync() => EndAsync(timedOut: false);

    /// <summary>
    /// The script timeout expired: 504 and close before the headers (as mod_esi), else the body ends with a
    /// warning. A pending internal redirect is still served.
    /// </summary>
    internal ValueTask<string?> TimeOutAsync() => EndAsync(timedOut: true);

    private async ValueTask<string?> EndAsync(bool timedOut)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            switch (_state)
            {
                case SessionState.AwaitingHeaders when timedOut:
                    EsiLog.TimedOutBeforeHeaders(_logger, Script, _timer.Timeout);
                    Close("The ESI session is closed: the script timed out and was answered with 504.");
                    await AnswerPlainAsync(504, close: true).ConfigureAwait(false);
                    return null;
                case SessionState.AwaitingHeaders:
                    EsiLog.DeliveredNothing(_logger, Script);
                    Close("The ESI session is closed: the script ended without delivering and was answered with 500.");
                    await AnswerPlainAsync(500, close: false).ConfigureAwait(false);
                    return null;
                case SessionState.Streaming when timedOut:
                    EsiLog.TimedOutAfterHeaders(_logger, Script, _timer.Timeout);
                    Close("The ESI session is closed: the script timed out.");
                    await FinishResponseAsync(WarningPrefix + "timed out\"").ConfigureAwait(false);
                    return null;
                case SessionState.Streaming:
                    Close("The ESI session is closed: the script's last call returned.");
                    await FinishResponseAsync().ConfigureAwait(false);
                    return null;
                case SessionState.Redirected:
                    return CloseRedirected();
                default:
                    return null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The script threw: 500 before the headers, else the connection is aborted so that the client sees a
    /// truncated body; both are logged.
    /// </summary>
    /// <exception cref="IOException">The headers were out: the connection was aborted.</exception>
    /// <returns>
    /// False when the exception should go on to the HTTP module: an <see cref="HttpStatusException"/> before the
    /// headers, which it answers with its own error response.
    /// </returns>
    internal async ValueTask<(bool Handled, string? Redirect)> FailAsync(Exception exception)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            switch (_state)
            {
                case SessionState.AwaitingHeaders when exception is HttpStatusException:
                    Close("The ESI session is closed: the script failed.");
                    return (false, null);
                case SessionState.AwaitingHeaders:
                    EsiLog.FailedBeforeHeaders(_logger, Script, exception);
                    Close("The ESI session is closed: the script failed and was answered with 500.");
                    await AnswerPlainAsync(500, close: false).ConfigureAwait(false);
                    return (true, null);
                case SessionState.Streaming:
                    EsiLog.FailedAfterHeaders(_logger, Script, exception);
                    Close("The ESI session is closed: the script failed.");

                    // A final chunk, even one with a Warning trailer, makes a cut-off body look complete to most
                    // clients; a reset connection cannot be mistaken for a whole response.
                    _request.Socket.Abort(SocketError.ConnectionAborted);
                    throw new IOException($"ESI script {Script} failed after its headers; the connection was aborted.", exception);
                case SessionState.Redirected:
                    EsiLog.FailedAfterHeaders(_logger, Script, exception);
                    return (true, CloseRedirected());
                default:
                    // Already answered for the script (an invalid header section): nothing more to say.
                    return (true, null);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the session without answering: the request failed and the HTTP module deals with it.</summary>
    internal void Shut()
    {
        _gate.Wait();
        try
        {
            if (_state != SessionState.Closed)
            {
                Close("The ESI session is closed: its request failed.");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes a session whose script redirected internally, however it ended.</summary>
    /// <returns>The local path to serve instead.</returns>
    private string? CloseRedirected()
    {
        Close("The ESI session is closed: the script redirected.");
        return _redirect;
    }

    private void Close(string reason)
    {
        _closedReason = reason;
        _state = SessionState.Closed;
        _timer.Pause();
    }

    /// <summary>Ends a response whose head is out; a response that cannot be completed aborts its connection.</summary>
    private async ValueTask FinishResponseAsync(string? warning = null)
    {
        try
        {
            if (warning is null)
            {
                await _request.FinishAsync().ConfigureAwait(false);
            }
            else
            {
                await _request.FinishWithTrailerAsync("Warning", warning).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException e)
        {
            // Fewer bytes than the script's Content-Length: the client would wait for the rest forever.
            throw new IOException($"The response of ESI script {Script} could not be completed.", e);
        }
    }

    /// <summary>A short plain-text answer the server gives for the script (500, 504).</summary>
    private async ValueTask AnswerPlainAsync(int statusCode, bool close)
    {
        _request.SendStatus(statusCode);
        _request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
        if (close)
        {
            _request.CloseAfterFinish();
        }

        string text = $"{statusCode} {Http.Internal.StatusLine.ReasonPhrase(statusCode)}\n";
        await _request.SendDataAsync(text).ConfigureAwait(false);
        await _request.FinishAsync().ConfigureAwait(false);
    }
}
