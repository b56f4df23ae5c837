namespace Moonbridge.Net.Http.Ranges;

/// <summary>
/// What <see cref="HttpRequest.SendContentAsync"/> says about a representation besides its bytes: its media type and
/// its validators, which make <c>If-Range</c> (and so resuming a download safely) possible.
/// </summary>
/// <param name="ContentType">The media type, e.g. <c>application/octet-stream</c>.</param>
/// <param name="ETag">A strong entity tag with its quotes (<c>"abc"</c>), or null; weak tags never satisfy <c>If-Range</c>.</param>
/// <param name="LastModified">When the representation last changed, or null.</param>
public sealed record RepresentationMetadata(string ContentType, string? ETag = null, DateTimeOffset? LastModified = null);
