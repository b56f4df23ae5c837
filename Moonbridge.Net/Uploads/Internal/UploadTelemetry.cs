using Moonbridge.Net.Diagnostics;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>The upload layer's measurements, with the protocol as the metrics name it.</summary>
internal static class UploadTelemetry
{
    internal static string Name(UploadProtocol protocol) => protocol switch
    {
        UploadProtocol.Ietf => "ietf",
        UploadProtocol.Tus => "tus",
        _ => "byte-range",
    };

    internal static void Created(UploadProtocol protocol) => UploadMetrics.Add(UploadMetrics.Created, 1, Name(protocol));

    internal static void Completed(UploadProtocol protocol) => UploadMetrics.Add(UploadMetrics.Completed, 1, Name(protocol));

    /// <summary>Expired uploads are counted without a protocol: the sweep removes them by date, unread.</summary>
    internal static void Expired(int count)
    {
        if (count > 0 && UploadMetrics.Expired.Enabled)
        {
            UploadMetrics.Expired.Add(count);
        }
    }

    /// <summary>An append begins (a resumption when the upload has bytes already); returns the tag to end it with, null when not counted.</summary>
    internal static string? Appending(IUploadAppend hold)
    {
        string protocol = Name(hold.Record.Protocol);
        if (hold.Offset > 0)
        {
            UploadMetrics.Add(UploadMetrics.Resumed, 1, protocol);
        }

        if (!UploadMetrics.Running.Enabled)
        {
            return null;
        }

        UploadMetrics.Running.Add(1, new KeyValuePair<string, object?>(UploadMetrics.ProtocolTag, protocol));
        return protocol;
    }

    internal static void AppendEnded(string? running)
    {
        if (running is not null)
        {
            UploadMetrics.Running.Add(-1, new KeyValuePair<string, object?>(UploadMetrics.ProtocolTag, running));
        }
    }
}
