using Moonbridge.Net.Http;

namespace Moonbridge.Net.Progress.Internal;

/// <summary>The token a wait on behalf of a request observes: the caller's and the request's <see cref="HttpRequest.Aborted"/>.</summary>
internal static class RequestCancellation
{
    /// <summary>
    /// Combines <paramref name="cancellationToken"/> with <paramref name="request"/>'s aborted token, linking
    /// them only when they differ (in a handler they usually are the same token); dispose what it returns.
    /// </summary>
    public static CancellationTokenSource? Link(HttpRequest request, CancellationToken cancellationToken, out CancellationToken combined)
    {
        CancellationToken aborted = request.Aborted;
        if (!cancellationToken.CanBeCanceled || cancellationToken == aborted)
        {
            combined = aborted;
            return null;
        }

        if (!aborted.CanBeCanceled)
        {
            combined = cancellationToken;
            return null;
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, aborted);
        combined = linked.Token;
        return linked;
    }
}
