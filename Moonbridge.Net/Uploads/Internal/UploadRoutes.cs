namespace Moonbridge.Net.Uploads.Internal;

/// <summary>Which upload URL a request names.</summary>
internal enum UploadRoute
{
    /// <summary>The creation endpoint, <c>{path}</c>.</summary>
    Creation,

    /// <summary>An upload resource, <c>{path}/{id}</c>.</summary>
    Resource,

    /// <summary>Its stored final response, <c>{path}/{id}/result</c>.</summary>
    Result,

    /// <summary>Its bytes, <c>{path}/{id}/content</c>.</summary>
    Content,
}

/// <summary>Matches request paths (without their leading '/') against the upload URLs; ids must be well-formed.</summary>
internal sealed class UploadRoutes(string creationPath)
{
    public bool TryMatch(string? path, out UploadRoute route, out string? id)
    {
        route = UploadRoute.Creation;
        id = null;
        if (path is null || !path.StartsWith(creationPath, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> rest = path.AsSpan(creationPath.Length);
        if (rest.IsEmpty)
        {
            return true;
        }

        if (rest[0] != '/' || rest.Length < 1 + UploadId.Length || !UploadId.IsValid(rest.Slice(1, UploadId.Length)))
        {
            return false;
        }

        id = rest.Slice(1, UploadId.Length).ToString();
        rest = rest[(1 + UploadId.Length)..];
        (bool matched, route) = rest switch
        {
            "" => (true, UploadRoute.Resource),
            "/result" => (true, UploadRoute.Result),
            "/content" => (true, UploadRoute.Content),
            _ => (false, UploadRoute.Resource),
        };
        return matched;
    }
}
