namespace Moonbridge.Net.Http.Internal;

/// <summary>What a response header field means to the response writer.</summary>
internal enum HeaderRole : byte
{
    Other,
    ContentLength,
    Connection,
    Date,
}

/// <summary>A header field as the response writer understood it: its role, the length it declares, whether it asks to close.</summary>
internal readonly record struct HeaderFacts(HeaderRole Role, long ContentLength = -1, bool Closes = false)
{
    /// <summary>What a valid header field means to the writer; Transfer-Encoding is refused, an unreadable Content-Length reported as -1.</summary>
    public static HeaderFacts Of(string name, string value)
    {
        if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("Transfer-Encoding is managed by the server.", nameof(name));
        }

        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
        {
            return new HeaderFacts(HeaderRole.ContentLength,
                long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length) ? length : -1);
        }

        if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
        {
            bool closes = false;
            foreach (Range token in value.AsSpan().Split(','))
            {
                closes |= value.AsSpan(token).Trim().Equals("close", StringComparison.OrdinalIgnoreCase);
            }

            return new HeaderFacts(HeaderRole.Connection, Closes: closes);
        }

        return new HeaderFacts(name.Equals("Date", StringComparison.OrdinalIgnoreCase) ? HeaderRole.Date : HeaderRole.Other);
    }
}
