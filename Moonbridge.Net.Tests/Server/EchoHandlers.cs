using Moonbridge.Net.IO;

namespace Moonbridge.Net.Tests.Server;

/// <summary>Line-echo connect handlers in both forms; they echo until end of input and keep the worker.</summary>
internal static class EchoHandlers
{
    private const long MaxLine = 64 * 1024;

    public static async ValueTask<bool> EchoAsync(MoonSocket socket, CancellationToken cancellationToken)
    {
        while (true)
        {
            IoData line = await socket.ReadAsync(MaxLine, '\n', cancellationToken);
            if (line.Data.Length > 0 && (await socket.FlushAsync(line.Data, cancellationToken)).IsError)
            {
                return true;
            }

            if (line.Status is IoStatus.Eof or IoStatus.Error)
            {
                return true;
            }
        }
    }

    public static bool Echo(MoonSocket socket)
    {
        while (true)
        {
            IoData line = socket.Read(MaxLine, '\n');
            if (line.Data.Length > 0 && socket.Flush(line.Data).IsError)
            {
                return true;
            }

            if (line.Status is IoStatus.Eof or IoStatus.Error)
            {
                return true;
            }
        }
    }
}
