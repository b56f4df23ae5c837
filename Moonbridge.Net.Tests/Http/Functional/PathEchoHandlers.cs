using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>
/// Handlers that answer <c>path=&lt;Path&gt;</c>; for the path <c>stream</c> they send three 1,000-byte
/// pieces instead, more than <see cref="HttpOptions.MinimumOutputChunkSize"/>, so the response is streamed.
/// </summary>
internal static class PathEchoHandlers
{
    public const int StreamedLength = 3000;

    public static TestServer Start(HandlerForm form, HttpOptions? options = null)
        => TestServer.StartHttp(form, options ?? TestServer.HttpOptions(), Blocking, Async);

    public static bool Blocking(HttpRequest request)
    {
        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", "text/plain");
        if (request.Path == "stream")
        {
            for (int i = 0; i < 3; i++)
            {
                request.SendData(new string((char)('a' + i), 1000));
            }
        }
        else
        {
            request.SendData($"path={request.Path}");
        }

        return true;
    }

    public static async ValueTask<bool> Async(HttpRequest request, CancellationToken cancellationToken)
    {
        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", "text/plain");
        if (request.Path == "stream")
        {
            for (int i = 0; i < 3; i++)
            {
                await request.SendDataAsync(new string((char)('a' + i), 1000));
            }
        }
        else
        {
            await request.SendDataAsync($"path={request.Path}");
        }

        return true;
    }
}
