using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>Binding (or inheriting) the listeners, and closing them.</summary>
public sealed partial class MoonbridgeServer
{
    /// <summary>Binds every listener, taking inherited sockets first, and begins; on failure nothing is left listening.</summary>
    private void BindAndBegin(ILoggerFactory loggerFactory)
    {
        IListenerSource? inherited = null;
        try
        {
            inherited = _options.InheritFrom is { } inheritFrom
                ? ServerExtensionPoints.RequireListenerInheritance().Open(inheritFrom, loggerFactory, _options.Name)
                : null;
            Bind(inherited);
        }
        catch
        {
            inherited?.Dispose();
            CloseListeners();
            throw;
        }

        try
        {
            Begin();

            // Accepting on the inherited sockets has begun: the previous process may stop accepting now.
            inherited?.Accepting();
        }
        finally
        {
            inherited?.Dispose();
        }
    }

    /// <summary>In a worker process: becomes the pool's one worker, fed by the parent over hand-off.</summary>
    private static MoonbridgeServer ListenAsWorkerProcess(ListenOptions options, string parentPool)
    {
        if (!options.WorkerProcesses)
        {
            throw new InvalidOperationException($"This process is a worker process of pool '{parentPool}'; it cannot start pool '{options.Name}', which does not use worker processes.");
        }

        var server = new MoonbridgeServer(options, ServerExtensionPoints.RequireWorkerProcesses().ConnectToParent(options));
        try
        {
            server.Bind(null);
        }
        catch
        {
            server.CloseListeners();
            throw;
        }

        // The listeners as configured (they are bound in the parent).
        server._listeners = [.. options.Listeners.Select(spec => new BoundListener(spec, null))];
        server.Begin();
        return server;
    }

    private void Bind(IListenerSource? inherited)
    {
        int maxConnections = _poolOptions.EffectiveMaxConnections;
        if (maxConnections > DescriptorReserve.Limit && _poolOptions.Listeners.Any(l => l is TcpListenerSpec or LocalListenerSpec or IConnectionSourceSpec))
        {
            ServerLog.ConnectionLimitAboveFileLimit(_logger, _options.Name, maxConnections, DescriptorReserve.Limit, DescriptorReserve.Reserve);
        }

        foreach (ListenerSpec spec in _poolOptions.Listeners)
        {
            if (spec is IConnectionSourceSpec sourceSpec)
            {
                IConnectionSource source = sourceSpec.Open(_options.Backlog);
                _slots.Add(new ListenerSlot(spec, source: source));
                if (!_host.IsWorkerProcess)
                {
                    ServerLog.Listening(_logger, _options.Name, source.LocalEndPoint?.ToString() ?? spec.ToString());
                }

                continue;
            }

            MoonListener? socket = inherited?.Take(spec) ?? spec switch
            {
                TcpListenerSpec tcp => MoonbridgeIO.TcpListen(tcp.Host, tcp.Port, _options.Backlog),
                LocalListenerSpec local => MoonbridgeIO.LocalListen(local.Path, _options.Backlog),
                _ => null,
            };
            if (socket is not null)
            {
                socket.UseTransport(_options.Transport);
                if (spec is TcpListenerSpec { DeferAccept: { } deferAccept })
                {
                    socket.DeferAcceptUntilData(deferAccept);
                }

                ServerLog.Listening(_logger, _options.Name, socket.LocalEndPoint.ToString() ?? spec.ToString());
            }

            _slots.Add(new ListenerSlot(spec, socket));
        }

        _listeners = [.. _slots.Select(slot => new BoundListener(slot.Spec, slot.LocalEndPoint))];
    }

    private void CloseListeners()
    {
        foreach (ListenerSlot slot in _slots)
        {
            slot.Close(_ioLogger);
        }
    }
}
