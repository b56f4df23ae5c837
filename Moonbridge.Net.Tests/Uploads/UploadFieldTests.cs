using System.Text;
using System.Text.Json;
using Moonbridge.Net.Http.StructuredFields;
using Moonbridge.Net.Uploads;
using Moonbridge.Net.Uploads.Ietf;
using Moonbridge.Net.Uploads.Tus;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>The upload protocols' own field and body formats: tus metadata, the draft's problem documents and Upload-Limit.</summary>
public sealed class UploadFieldTests
{
    [Test]
    public void TusMetadataKeepsKeysAndValuesAndAKeyAloneHasAnEmptyValue()
    {
        Assert.That(TusMetadata.TryParse("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==, is_confidential,empty ", out IReadOnlyDictionary<string, byte[]?> metadata, out string? error), Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(metadata["filename"]!), Is.EqualTo("world_domination_plan.pdf"));
            Assert.That(metadata["is_confidential"], Is.Empty, "a key alone has an empty value");
            Assert.That(metadata["empty"], Is.Empty, "so has a key with a space and nothing after it");
            Assert.That(TusMetadata.TryParse(null, out IReadOnlyDictionary<string, byte[]?> none, out _) && none.Count == 0, Is.True);
        });
    }

    [TestCase("a YQ==,a Yg==", "repeats")]
    [TestCase("a not-base64!", "base64")]
    [TestCase("a YQ== Yg==", "base64")]
    [TestCase("a YQ==,,b", "empty pair")]
    [TestCase("ké YQ==", "key")]
    public void TusMetadataRefusesWhatTheSpecificationForbids(string field, string reason)
    {
        Assert.That(TusMetadata.TryParse(field, out _, out string? error), Is.False);
        Assert.That(error, Does.Contain(reason));
    }

    [Test]
    public void TusMetadataIsSentBackEncodedWhateverItHolds()
    {
        var metadata = new Dictionary<string, byte[]?>(StringComparer.Ordinal)
        {
            ["name"] = Encoding.UTF8.GetBytes("evil\r\nSet-Cookie: x=1"),
            ["flag"] = [],
        };

        string field = TusMetadata.Format(metadata);

        Assert.Multiple(() =>
        {
            Assert.That(field, Does.Not.Contain("\r").And.Not.Contain("\n"));
            Assert.That(TusMetadata.TryParse(field, out IReadOnlyDictionary<string, byte[]?> again, out _), Is.True);
            Assert.That(again["name"], Is.EqualTo(metadata["name"]));
            Assert.That(again["flag"], Is.Empty);
        });
    }

    [Test]
    public void AMismatchingOffsetProblemNamesBothOffsets()
    {
        using JsonDocument problem = JsonDocument.Parse(UploadProblem.MismatchingOffset(expected: 12_500_000, provided: 25_000_000));
        JsonElement root = problem.RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("https://iana.org/assignments/http-problem-types#mismatching-upload-offset"));
            Assert.That(root.GetProperty("title").GetString(), Is.Not.Empty);
            Assert.That(root.GetProperty("expected-offset").GetInt64(), Is.EqualTo(12_500_000));
            Assert.That(root.GetProperty("provided-offset").GetInt64(), Is.EqualTo(25_000_000));
            Assert.That(JsonDocument.Parse(UploadProblem.InconsistentLength()).RootElement.GetProperty("type").GetString(), Does.EndWith("#inconsistent-upload-length"));
        });
    }

    [Test]
    public void UploadLimitAlwaysCarriesMinSizeAndParsesAsADictionary()
    {
        var now = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
        string none = new UploadLimits().ToFieldValue(now);
        string all = new UploadLimits { MaxSize = 1L << 30, MaxAppendSize = 64 << 20, MinAppendSize = 1 }.ToFieldValue(now, now.AddSeconds(3600.7));

        Assert.Multiple(() =>
        {
            Assert.That(none, Is.EqualTo("min-size=0"), "never an empty field");
            Assert.That(all, Is.EqualTo("max-size=1073741824, min-size=0, max-append-size=67108864, min-append-size=1, max-age=3600"));
            Assert.That(StructuredFieldParser.TryParseDictionary(all, out IReadOnlyList<KeyValuePair<string, StructuredMember>> parsed), Is.True);
            Assert.That(parsed.Select(entry => entry.Value.Item!.Value.Integer), Is.All.GreaterThanOrEqualTo(0));
            Assert.That(new UploadLimits().ToFieldValue(now, now.AddSeconds(-5)), Does.EndWith("max-age=0"), "never negative");
            Assert.That(new UploadLimits { MaxSize = 10 }.TusMaxSize, Is.EqualTo("10"));
        });
    }
}
