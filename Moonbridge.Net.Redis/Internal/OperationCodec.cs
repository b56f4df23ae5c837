using System.Buffers;
using System.Text;
using System.Text.Json;
using Moonbridge.Net.Progress.Operations;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>An <see cref="OperationSnapshot"/> as the JSON kept in Redis and published (the result's body in base64).</summary>
internal static class OperationCodec
{
    public static string Encode(OperationSnapshot snapshot)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", snapshot.Id);
            json.WriteString("target", snapshot.Target);
            json.WriteBoolean("completed", snapshot.State == OperationState.Completed);
            json.WriteNumber("done", snapshot.Completed);
            if (snapshot.Total is { } total)
            {
                json.WriteNumber("total", total);
            }

            if (snapshot.Remark is { } remark)
            {
                json.WriteString("remark", remark);
            }

            json.WriteNumber("version", snapshot.Version);
            if (snapshot.Result is { } result)
            {
                json.WriteStartObject("result");
                json.WriteNumber("status", result.StatusCode);
                json.WriteStartArray("headers");
                foreach (KeyValuePair<string, string> header in result.Headers)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(header.Key);
                    json.WriteStringValue(header.Value);
                    json.WriteEndArray();
                }

                json.WriteEndArray();
                json.WriteBase64String("body", result.Body.Span);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The snapshot; null for empty or malformed text.</summary>
    public static OperationSnapshot? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            JsonElement root = document.RootElement;
            OperationResult? result = null;
            if (root.TryGetProperty("result", out JsonElement stored))
            {
                var headers = stored.GetProperty("headers").EnumerateArray()
                    .Select(h => new KeyValuePair<string, string>(h[0].GetString()!, h[1].GetString()!)).ToList();
                result = new OperationResult(stored.GetProperty("status").GetInt32(), stored.GetProperty("body").GetBytesFromBase64(), headers);
            }

            return new OperationSnapshot(
                root.GetProperty("id").GetString()!,
                root.GetProperty("target").GetString()!,
                root.GetProperty("completed").GetBoolean() ? OperationState.Completed : OperationState.Running,
                root.GetProperty("done").GetInt64(),
                root.TryGetProperty("total", out JsonElement total) ? total.GetInt64() : null,
                root.TryGetProperty("remark", out JsonElement remark) ? remark.GetString() : null,
                root.GetProperty("version").GetInt64(),
                result);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}
