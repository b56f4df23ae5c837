using Moonbridge.Net.Http;

namespace Moonbridge.Net.Tests.Reliability;

/// <summary>A handler that echoes the path and the body it read: <c>path:body</c>.</summary>
internal static class PathBodyEcho
{
    public static async ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        byte[] body = await request.ReadBodyAsync(cancellationToken);
        request.SendStatus(200);
        request.SendHeader("Content-Type", "text/plain");
        await request.SendDataAsync(System.Text.Encoding.Latin1.GetBytes($"{request.Path}:"));
        await request.SendDataAsync(body);
        return true;
    }
}
