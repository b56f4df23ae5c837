using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Text;
using Moonbridge.Net.Esi.Internal;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO.Internal;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Esi;

/// <summary>Running one script: its environment, its input (whole or chunked), its timeout, and how it ends.</summary>
public sealed partial class EsiRouter
{
    private async ValueTask RunAsync(HttpRequest request, EsiTarget target, CancellationToken cancellationToken)
    {
        for (int redirects = 0; ; redirects++)
        {
            string? location = await RunScriptAsync(request, target, cancellationToken).ConfigureAwait(false);
            if (location is null)
            {
                return;
            }

            if (redirects == MaximumInternalRedirects)
            {
                EsiLog.TooManyRedirects(_logger, target.Script, MaximumInternalRedirects);
                await AnswerAsync(request, 500).ConfigureAwait(false);
                return;
            }

            EsiLog.InternalRedirect(_logger, target.Script, location);
            int question = location.IndexOf('?', StringComparison.Ordinal);
            string path = (question < 0 ? location : location[..question])[1..];
            string? query = question < 0 ? null : location[(question + 1)..];
            if (FindAlias(path, out ReadOnlySpan<char> rest) is not { } alias)
            {
                // Not a script: this router cannot serve other local resources, so the client is sent there.
                await AnswerAsync(request, 302, location).ConfigureAwait(false);
                return;
            }

            // As a CGI local redirect (RFC 3875 §6.2.2): the new resource is fetched as with GET.
            if (Resolve(alias, rest, query, location, "GET") is not { } next)
            {
                EsiLog.NotFound(_logger, location);
                await AnswerAsync(request, 404).ConfigureAwait(false);
                return;
            }

            target = next;
        }
    }

    /// <summary>Runs one script to its end; returns the local path it redirected to, if any.</summary>
    private async ValueTask<string?> RunScriptAsync(HttpRequest request, EsiTarget target, CancellationToken cancellationToken)
    {
        EsiEnvironment environment = BuildEnvironment(request, target);
        using var timer = new ScriptTimer(_options.ScriptTimeout, MoonbridgeServer.CurrentTimeProvider, cancellationToken);
        var session = new EsiSession(request, timer, _options, _logger, target.Script);
        try
        {
            if (target.ReadsBody && _options.MaximumBodyChunkSize is { } chunkSize)
            {
                await FeedChunksAsync(request, session, target.Handler, environment, timer, chunkSize, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                ReadOnlyMemory<byte> input = target.ReadsBody
                    ? await request.ReadBodyAsync(cancellationToken).ConfigureAwait(false)
                    : Encoding.UTF8.GetBytes(target.Query ?? target.PathInfo ?? string.Empty);
                await CallAsync(session, target.Handler, environment, EsiInput.Whole(input), timer, cancellationToken).ConfigureAwait(false);
            }

            return await session.CompleteAsync().ConfigureAwait(false);
        }
        catch (ScriptOutcomeException outcome) when (outcome.TimedOut)
        {
            return await session.TimeOutAsync().ConfigureAwait(false);
        }
        catch (ScriptOutcomeException outcome)
        {
            Exception thrown = outcome.InnerException!;
            (bool handled, string? redirect) = await session.FailAsync(thrown).ConfigureAwait(false);
            if (!handled)
            {
                ExceptionDispatchInfo.Throw(thrown);
            }

            return redirect;
        }
        catch
        {
            // Reading the body failed, or the connection was cancelled: the HTTP module answers or aborts, and
            // nothing may reach the request through this session any more.
            session.Shut();
            throw;
        }
    }

    /// <summary>
    /// Hands the body to the script in chunks of at most <paramref name="chunkSize"/> bytes: <c>First</c>,
    /// <c>Continue</c>… and <c>Last</c>, or only <c>Last</c> with a null state when it fits in one (as mod_esi).
    /// Which chunk is the last is only known once the next read finds the end, so one chunk is read ahead.
    /// </summary>
    private static async ValueTask FeedChunksAsync(
        HttpRequest request, EsiSession session, EsiHandler handler, EsiEnvironment environment, ScriptTimer timer, int chunkSize, CancellationToken cancellationToken)
    {
        byte[] current = ArrayPool<byte>.Shared.Rent(chunkSize);
        byte[] next = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            int length = await FillAsync(request, current, 0, chunkSize, cancellationToken).ConfigureAwait(false);
            object? state = null;
            bool first = true;
            while (true)
            {
                int ahead = length < chunkSize ? 0 : await request.ReadBodyAsync(next.AsMemory(0, chunkSize), cancellationToken).ConfigureAwait(false);
                ReadOnlyMemory<byte> data = current.AsMemory(0, length);
                if (ahead == 0)
                {
                    await CallAsync(session, handler, environment, EsiInput.Last(data, state), timer, cancellationToken).ConfigureAwait(false);
                    return;
                }

                EsiInput input = first ? EsiInput.First(data) : EsiInput.Continue(data, state);
                state = await CallAsync(session, handler, environment, input, timer, cancellationToken).ConfigureAwait(false);
                if (!session.TakesInput)
                {
                    // The script redirected or was answered for: the rest of the body is the HTTP module's to drain.
                    return;
                }

                first = false;
                length = await FillAsync(request, next, ahead, chunkSize, cancellationToken).ConfigureAwait(false);
                (current, next) = (next, current);
            }
        }
        finally
        {
            // A handler abandoned on timeout may still read its chunk: its buffers are left to the collector
            // rather than handed to another request.
            if (!session.Abandoned)
            {
                ArrayPool<byte>.Shared.Return(current);
                ArrayPool<byte>.Shared.Return(next);
            }
        }
    }

    /// <summary>Reads body bytes into <paramref name="buffer"/> from <paramref name="filled"/> until it holds <paramref name="size"/> or the body ends.</summary>
    private static async ValueTask<int> FillAsync(HttpRequest request, byte[] buffer, int filled, int size, CancellationToken cancellationToken)
    {
        while (filled < size)
        {
            int read = await request.ReadBodyAsync(buffer.AsMemory(filled, size - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>
    /// One handler call under the script timer. A handler that ignores its token past the timeout is abandoned
    /// (a task cannot be killed as mod_esi kills its worker); its session refuses it from then on.
    /// </summary>
    private static async ValueTask<object?> CallAsync(
        EsiSession session, EsiHandler handler, EsiEnvironment environment, EsiInput input, ScriptTimer timer, CancellationToken cancellationToken)
    {
        if (SocketConnection.IsOnReceiveLoop)
        {
            // The request (or its next body chunk) arrived on the connection's receive loop, where blocking is
            // refused; a handler may block in Deliver while its client is slow, so it runs on the thread pool.
            await Task.Yield();
        }

        Task<object?>? pending = null;
        session.CallRunning = true;
        timer.Start();
        try
        {
            ValueTask<object?> call = handler(session, environment, input, timer.Token);
            if (call.IsCompleted)
            {
                return call.GetAwaiter().GetResult();
            }

            pending = call.AsTask();
            return await pending.WaitAsync(timer.Token).ConfigureAwait(false);
        }
        catch (Exception) when (pending is { IsCompleted: false })
        {
            // The wait ended but the handler did not: it is abandoned, and must not fault unobserved later.
            session.Abandoned = true;
            _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (timer.Expired)
            {
                throw ScriptOutcomeException.Timeout();
            }

            throw;
        }
        catch (OperationCanceledException) when (timer.Expired)
        {
            throw ScriptOutcomeException.Timeout();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && !(e is IOException && session.Request.Faulty))
        {
            // A client that went away is not the script's failure; everything else the script threw is.
            throw ScriptOutcomeException.Failed(e);
        }
        finally
        {
            session.CallRunning = false;
            timer.Pause();
        }
    }

    /// <summary>mod_esi's <c>Env</c> for one call, in the documented order, then one <c>http_</c> entry per header name.</summary>
    private EsiEnvironment BuildEnvironment(HttpRequest request, EsiTarget target)
    {
        var entries = new List<KeyValuePair<string, string>>(11 + request.Headers.Count)
        {
            new(EsiEnvironment.ServerSoftware, _options.ServerSoftware),
            new(EsiEnvironment.ServerName, _serverName),
            new(EsiEnvironment.GatewayInterface, "CGI/1.1"),
            new(EsiEnvironment.ServerProtocol, request.Version),
        };
        if (request.Socket.LocalTcpPort is { } port)
        {
            entries.Add(new(EsiEnvironment.ServerPort, port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        entries.Add(new(EsiEnvironment.RequestMethod, target.Method));
        if ((request.Socket.RemoteIp4 ?? request.Socket.RemoteIp6) is { } address)
        {
            entries.Add(new(EsiEnvironment.RemoteAddress, address));
        }

        entries.Add(new(EsiEnvironment.ScriptName, target.ScriptName));
        if (target.PathInfo is { } pathInfo)
        {
            entries.Add(new(EsiEnvironment.PathInfo, pathInfo));
        }

        if (target.Query is { } query)
        {
            entries.Add(new(EsiEnvironment.QueryString, query));
        }

        int headersStart = entries.Count;
        foreach (KeyValuePair<string, string> field in request.Headers)
        {
            string key = EsiEnvironment.HeaderKey(field.Key);
            if (!Contains(entries, headersStart, key))
            {
                // A repeated header gets one entry, its values joined as the HTTP module joins them.
                entries.Add(new(key, request.Headers.GetCsvString(field.Key)!));
            }
        }

        return EsiEnvironment.Adopt(entries);
    }

    private static bool Contains(List<KeyValuePair<string, string>> entries, int start, string key)
    {
        for (int i = start; i < entries.Count; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
