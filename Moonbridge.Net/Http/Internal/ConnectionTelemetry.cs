using System.Diagnostics;
using System.Globalization;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// One connection's measurements and trace, made at its first request or idle wait observed while someone listens
/// (a connection never observed carries none): the OpenTelemetry HTTP server metrics, a server activity per request
/// whose parent comes from the request's <c>traceparent</c> through <see cref="DistributedContextPropagator"/>, and the
/// count of connections waiting idle for their next request.
/// </summary>
internal sealed class ConnectionTelemetry
{
    private const string OtherMethod = "_OTHER";

    private static readonly DistributedContextPropagator.PropagatorGetterCallback s_headerGetter = GetHeader;

    private long _started;
    private bool _countedActive;
    private string _method = OtherMethod;
    private string _version = "1.1";
    private Activity? _activity;
    private bool _countedIdle;

    /// <summary>The pool's name, the connection metrics' tag; read from the handler's scope, where the connection runs.</summary>
    private readonly string _pool = Server.Internal.HandlerScope.Current?.Worker.PoolName ?? string.Empty;

    /// <summary>Counts the connection idle until <see cref="IdleEnds"/> when <paramref name="idle"/> and someone listens.</summary>
    public static void IdleBegins(ref ConnectionTelemetry? telemetry, bool idle)
    {
        if (idle && ConnectionMetrics.Idle.Enabled)
        {
            telemetry ??= new ConnectionTelemetry();
            telemetry._countedIdle = true;
            ConnectionMetrics.Idle.Add(1, new KeyValuePair<string, object?>(ConnectionMetrics.PoolTag, telemetry._pool));
        }
    }

    public void IdleEnds()
    {
        if (_countedIdle)
        {
            _countedIdle = false;
            ConnectionMetrics.Idle.Add(-1, new KeyValuePair<string, object?>(ConnectionMetrics.PoolTag, _pool));
        }
    }

    /// <summary>
    /// Starts measuring the request whose head was just parsed, when someone listens; <paramref name="socket"/> gives
    /// the peer for the trace.
    /// </summary>
    public static void Begin(ref ConnectionTelemetry? telemetry, HttpRequestHead head, IO.MoonSocket socket)
    {
        if (HttpServerMetrics.AnyListener)
        {
            (telemetry ??= new ConnectionTelemetry()).Begin(head, socket);
        }
    }

    private void Begin(HttpRequestHead head, IO.MoonSocket socket)
    {
        _started = Stopwatch.GetTimestamp();
        _method = Normalize(head.Method);
        _version = head.Version == HttpVersion.Http10 ? "1.0" : "1.1";
        if (HttpServerMetrics.ActiveRequests.Enabled)
        {
            _countedActive = true;
            HttpServerMetrics.ActiveRequests.Add(1, new("http.request.method", _method), new("url.scheme", "http"));
        }

        if (Telemetry.Source.HasListeners())
        {
            _activity = StartActivity(head, socket);
        }
    }

    /// <summary>
    /// Ends the request's measurements: <paramref name="statusCode"/> is the final status sent (0 for none), and
    /// <paramref name="errorType"/> says why the exchange failed, if it did. Nothing happens for a request not measured.
    /// </summary>
    public void End(int statusCode, string? errorType = null)
    {
        if (_started == 0)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", _method },
            { "url.scheme", "http" },
            { "network.protocol.name", "http" },
            { "network.protocol.version", _version },
        };
        if (statusCode > 0)
        {
            tags.Add("http.response.status_code", Telemetry.StatusCode(statusCode));
        }

        errorType ??= statusCode >= 500 ? statusCode.ToString(CultureInfo.InvariantCulture) : null;
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        HttpServerMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        if (_countedActive)
        {
            HttpServerMetrics.ActiveRequests.Add(-1, new("http.request.method", _method), new("url.scheme", "http"));
        }

        if (_activity is { } activity)
        {
            if (statusCode > 0)
            {
                activity.SetTag("http.response.status_code", Telemetry.StatusCode(statusCode));
            }

            if (errorType is not null)
            {
                activity.SetTag("error.type", errorType);
                activity.SetStatus(ActivityStatusCode.Error);
            }

            activity.Stop();
        }

        _started = 0;
        _countedActive = false;
        _activity = null;
    }

    private Activity? StartActivity(HttpRequestHead head, IO.MoonSocket socket)
    {
        DistributedContextPropagator propagator = DistributedContextPropagator.Current;
        propagator.ExtractTraceIdAndState(head, s_headerGetter, out string? traceParent, out string? traceState);
        _ = ActivityContext.TryParse(traceParent, traceState, isRemote: true, out ActivityContext parent);

        // The previous request's activity may still be current here: it was stopped inside an async method, whose
        // change of the current activity did not flow back to the connection's loop. It is no parent of this one.
        Activity.Current = null;

        // The span's name is the method alone: a route is the application's, and a raw target would not group.
        Activity? activity = Telemetry.Source.StartActivity(_method == OtherMethod ? "HTTP" : _method, ActivityKind.Server, parent);
        if (activity is null)
        {
            return null;
        }

        if (traceParent is not null && propagator.ExtractBaggage(head, s_headerGetter) is { } baggage)
        {
            foreach (KeyValuePair<string, string?> item in baggage)
            {
                activity.AddBaggage(item.Key, item.Value);
            }
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("http.request.method", _method);
            if (_method == OtherMethod)
            {
                activity.SetTag("http.request.method_original", head.Method);
            }

            activity.SetTag("url.scheme", "http");
            activity.SetTag("url.path", head.Path is { } path ? "/" + path : head.Target);
            if (head.Query is { Length: > 0 } query)
            {
                activity.SetTag("url.query", query[0] == '?' ? query[1..] : query);
            }

            activity.SetTag("network.protocol.version", _version);
            if (head.Host.Length > 0)
            {
                // Host is "name[:port]", the name possibly an IPv6 literal in brackets.
                string host = head.Host;
                int colon = host.LastIndexOf(':');
                int port = 0;
                bool hasPort = colon > host.LastIndexOf(']') && int.TryParse(host.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port);
                activity.SetTag("server.address", hasPort ? host[..colon] : host);
                if (hasPort)
                {
                    activity.SetTag("server.port", port);
                }
            }

            if (socket.RemoteEndPoint is System.Net.IPEndPoint peer)
            {
                activity.SetTag("client.address", peer.Address.ToString());
                activity.SetTag("client.port", peer.Port);
            }

            if (Header(head, "User-Agent") is { } userAgent)
            {
                activity.SetTag("user_agent.original", userAgent);
            }
        }

        return activity;
    }

    private static string Normalize(string method) => method switch
    {
        KnownMethods.Get or KnownMethods.Head or KnownMethods.Post or KnownMethods.Put or KnownMethods.Delete
            or KnownMethods.Options or KnownMethods.Patch or KnownMethods.Trace or KnownMethods.Connect => method,
        _ => OtherMethod,
    };

    private static void GetHeader(object? carrier, string fieldName, out string? fieldValue, out IEnumerable<string>? fieldValues)
    {
        fieldValues = null;
        fieldValue = carrier is HttpRequestHead head ? Header(head, fieldName) : null;
    }

    private static string? Header(HttpRequestHead head, string name)
    {
        foreach (KeyValuePair<string, string> header in head.Headers)
        {
            if (header.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }
}
