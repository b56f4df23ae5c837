using System.Security.Cryptography;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Interop;

/// <summary>
/// The example application's tus face beside @tus/server (npm; node/tus-peer.mjs, with @tus/file-store), the tus
/// project's own server: each test sends the same raw requests to both and compares the answers step by step
/// (<see cref="TusPeerComparison"/> says what must agree and what tus 1.0 lets differ). Where @tus/server 2.4.5
/// itself departs from tus 1.0, the step names its status (<see cref="TusStep.PeerStatus"/>) and the reason is given
/// there; Moonbridge is then held to the specification alone. Ignored where node or the packages (.ci/npm-setup
/// installs them) are missing.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TusPeerComparisonTests : IDisposable
{
    /// <summary>A bound for one sequence; each takes some tens of milliseconds here.</summary>
    private const int TestMilliseconds = 30_000;

    private const string OffsetStream = "Content-Type: application/offset+octet-stream";

    private TempDirectory? _exampleUploads;
    private TempDirectory? _peerUploads;
    private ExampleServerProcess? _example;
    private TusPeerProcess? _peer;
    private HashSet<string>? _peerExtensions;

    [OneTimeSetUp]
    public async Task StartBothServers()
    {
        // Checked before anything starts: Assert.Ignore here marks every test of the fixture ignored.
        if (TusPeerProcess.MissingPrerequisite(out string node) is { } missing)
        {
            Assert.Ignore(missing);
        }

        using var startLimit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _exampleUploads = new TempDirectory();
        _peerUploads = new TempDirectory();
        _example = await ExampleServerProcess.StartAsync(startLimit.Token, "--upload-dir", _exampleUploads.Path);
        _peer = await TusPeerProcess.StartAsync(node, _peerUploads.Path, startLimit.Token);
    }

    /// <summary>Kills both servers by their process ids and removes their uploads.</summary>
    public void Dispose()
    {
        _example?.Dispose();
        _peer?.Dispose();
        _exampleUploads?.Dispose();
        _peerUploads?.Dispose();
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OptionsDescribeTheServer(CancellationToken cancellationToken)
    {
        Runs runs = await CompareAsync(
            cancellationToken,
            new TusStep("OPTIONS", "/files", 204),
            // §OPTIONS: "The Client SHOULD NOT include the Tus-Resumable header in the request and the Server MUST
            // ignore the header": a version neither speaks changes nothing.
            new TusStep("OPTIONS", "/files", 204, "Tus-Resumable: 0.2.2"));

        // §Checksum: a server that claims it "MUST" list its algorithms on OPTIONS, and "MUST support at least" sha1.
        RawHttpResponse options = runs.Moonbridge[0].Response;
        if (options.Header("Tus-Extension")?.Split(',').Contains("checksum") == true)
        {
            Assert.That(options.Header("Tus-Checksum-Algorithm")?.Split(','), Does.Contain("sha1"), runs.ToString());
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ACreatedUploadStartsAtOffsetZero(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 10"),
            new TusStep("HEAD", "{0}", 200));

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task MetadataGivenAtCreationIsEchoedByHead(CancellationToken cancellationToken)
    {
        // The specification's own example, a media type, and a key without a value (which may go without its space).
        const string Metadata = "filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,filetype YXBwbGljYXRpb24vcGRm,is_confidential";
        Runs runs = await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, $"Upload-Length: 10\nUpload-Metadata: {Metadata}"),
            new TusStep("HEAD", "{0}", 200));

        // §Creation: HEAD "MUST include the Upload-Metadata header and its value as specified by the Client".
        Assert.That(runs.Moonbridge[1].Response.Header("Upload-Metadata"), Is.EqualTo(Metadata), runs.ToString());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TwoPatchesCompleteAnUpload(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 10"),
            new TusStep("PATCH", "{0}", 204, $"Upload-Offset: 0\n{OffsetStream}", "hello"),
            new TusStep("PATCH", "{0}", 204, $"Upload-Offset: 5\n{OffsetStream}", "world") { Completes = true },
            new TusStep("HEAD", "{0}", 200));

    /// <summary>§PATCH: "If the offsets do not match, the Server MUST respond with the 409 Conflict status without modifying the upload resource."</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task APatchAtTheWrongOffsetIsAConflict(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 10"),
            new TusStep("PATCH", "{0}", 409, $"Upload-Offset: 3\n{OffsetStream}", "abc"),
            new TusStep("HEAD", "{0}", 200));

    /// <summary>
    /// §PATCH: "All PATCH requests MUST use Content-Type: application/offset+octet-stream, otherwise the server SHOULD
    /// return a 415 Unsupported Media Type status." @tus/server 2.4.5 checks Content-Type with its other header
    /// validators (server.ts, validators/HeaderValidator.ts) and answers 400 "Invalid content-type".
    /// </summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task APatchOfAnotherMediaTypeIsRefused(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 10"),
            new TusStep("PATCH", "{0}", 415, "Upload-Offset: 0\nContent-Type: text/plain", "hello") { PeerStatus = 400 },
            new TusStep("HEAD", "{0}", 200));

    /// <summary>tus names no status for content beyond Upload-Length; both answer 413 and keep none of it.</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task APatchBeyondTheLengthIsRefused(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 5"),
            new TusStep("PATCH", "{0}", 413, $"Upload-Offset: 0\n{OffsetStream}", "hello world"),
            new TusStep("HEAD", "{0}", 200));

    /// <summary>§Creation: a deferred length is set by a later PATCH; until then HEAD "MUST set Upload-Defer-Length: 1".</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ADeferredLengthIsDeclaredByAPatch(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Defer-Length: 1"),
            new TusStep("HEAD", "{0}", 200),
            new TusStep("PATCH", "{0}", 204, $"Upload-Offset: 0\nUpload-Length: 5\n{OffsetStream}", "hello") { Completes = true },
            new TusStep("HEAD", "{0}", 200));

    /// <summary>§Creation: with Upload-Length: 0 the upload "is immediately complete after its creation".</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnEmptyUploadIsCompleteAtCreation(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 0") { Completes = true },
            new TusStep("HEAD", "{0}", 200));

    /// <summary>
    /// §Tus-Resumable: for a version it does not support the server "MUST respond with the 412 Precondition Failed
    /// status and MUST include the Tus-Version header", and "MUST NOT process the request". @tus/server 2.4.5 checks
    /// the version with its header validators and answers 400 "Invalid tus-resumable", without Tus-Version.
    /// </summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnotherProtocolVersionIsRefusedWith412(CancellationToken cancellationToken)
    {
        Runs runs = await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 10"),
            new TusStep("HEAD", "{0}", 412, "Tus-Resumable: 0.2.2") { PeerStatus = 400 },
            new TusStep("PATCH", "{0}", 412, $"Tus-Resumable: 0.2.2\nUpload-Offset: 0\n{OffsetStream}", "hello") { PeerStatus = 400 },
            new TusStep("POST", "/files", 412, "Tus-Resumable: 0.2.2\nUpload-Length: 10") { PeerStatus = 400 },
            new TusStep("HEAD", "{0}", 200));

        Assert.Multiple(() =>
        {
            for (int i = 1; i <= 3; i++)
            {
                Assert.That(runs.Moonbridge[i].Response.Header("Tus-Version"), Is.EqualTo("1.0.0"), $"step {i}\n{runs}");
            }
        });
    }

    /// <summary>§Termination: DELETE "MUST respond with the 204 No Content status"; later requests get 404 or 410.</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATerminatedUploadIsGone(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 10"),
            new TusStep("DELETE", "{0}", 204),
            new TusStep("HEAD", "{0}", 404),
            new TusStep("PATCH", "{0}", 404, $"Upload-Offset: 0\n{OffsetStream}", "hello"));

    /// <summary>§Creation With Upload: the server "MUST include the Upload-Offset header" with the offset reached.</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task CreationCarriesTheFirstBytes(CancellationToken cancellationToken)
        => await CompareAsync(
            cancellationToken,
            new TusStep("POST", "/files", 201, $"Upload-Length: 10\n{OffsetStream}", "hello"),
            new TusStep("HEAD", "{0}", 200),
            new TusStep("POST", "/files", 201, $"Upload-Length: 5\n{OffsetStream}", "whole") { Completes = true },
            new TusStep("HEAD", "{2}", 200));

    /// <summary>
    /// §Checksum: a matching digest is stored (204), a mismatch is a 460 and the chunk "MUST be discarded". Compared only
    /// if the peer claims checksum; @tus/file-store does not, and a server without the extension rightly ignores
    /// Upload-Checksum, so then only Moonbridge's side runs.
    /// </summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ChecksumsAreVerified(CancellationToken cancellationToken)
        => await CompareIfPeerClaimsAsync(
            "checksum",
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Length: 10"),
            // Base64 SHA-1 of "hello", then of "jello" sent with "world".
            new TusStep("PATCH", "{0}", 204, $"Upload-Offset: 0\n{OffsetStream}\nUpload-Checksum: sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00=", "hello"),
            new TusStep("PATCH", "{0}", 460, $"Upload-Offset: 5\n{OffsetStream}\nUpload-Checksum: sha1 LO0+6G+Cv5HBXMMGBd9tPd8Haf8=", "world"),
            new TusStep("HEAD", "{0}", 200));

    /// <summary>
    /// §Concatenation: two partial uploads joined by a final one, whose HEAD reports the summed length and offset and
    /// echoes Upload-Concat. Compared only if the peer claims concatenation, which @tus/file-store does not.
    /// </summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task PartialUploadsAreConcatenated(CancellationToken cancellationToken)
        => await CompareIfPeerClaimsAsync(
            "concatenation",
            cancellationToken,
            new TusStep("POST", "/files", 201, "Upload-Concat: partial\nUpload-Length: 5"),
            new TusStep("POST", "/files", 201, "Upload-Concat: partial\nUpload-Length: 6"),
            new TusStep("PATCH", "{0}", 204, $"Upload-Offset: 0\n{OffsetStream}", "hello") { Completes = true },
            new TusStep("PATCH", "{1}", 204, $"Upload-Offset: 0\n{OffsetStream}", " world") { Completes = true },
            new TusStep("POST", "/files", 201, "Upload-Concat: final;{0} {1}") { Completes = true },
            new TusStep("HEAD", "{4}", 200),
            new TusStep("HEAD", "{0}", 200));

    /// <summary>§HEAD: for an upload that is not found, "404 Not Found, 410 Gone or 403 Forbidden ... without the Upload-Offset header".</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnknownUploadIsNotFound(CancellationToken cancellationToken)
    {
        // An id of the form both servers make (32 hex digits) that neither made.
        string unknown = "/files/" + RandomNumberGenerator.GetHexString(32, lowercase: true);
        Runs runs = await CompareAsync(
            cancellationToken,
            new TusStep("HEAD", unknown, 404),
            new TusStep("PATCH", unknown, 404, $"Upload-Offset: 0\n{OffsetStream}", "hello"));

        Assert.Multiple(() =>
        {
            Assert.That(runs.Moonbridge[0].Response.Header("Upload-Offset"), Is.Null, runs.ToString());
            Assert.That(runs.Peer[0].Response.Header("Upload-Offset"), Is.Null, runs.ToString());
        });
    }

    /// <summary>Sends the steps to both servers (Moonbridge first) and asserts that they agree as tus 1.0 requires.</summary>
    private async Task<Runs> CompareAsync(CancellationToken cancellationToken, params TusStep[] steps)
    {
        Runs runs = new(
            await TusSequence.RunAsync(_example!.Port, steps, cancellationToken),
            await TusSequence.RunAsync(_peer!.Port, steps, cancellationToken));
        Assert.That(TusPeerComparison.Differences(runs.Moonbridge, runs.Peer), Is.Empty, runs.ToString());
        return runs;
    }

    /// <summary>
    /// Compares the steps when the peer claims <paramref name="extension"/>. Otherwise it holds Moonbridge alone to
    /// the statuses tus allows and to Tus-Resumable, then ignores the test, naming the extension the peer lacks.
    /// </summary>
    private async Task CompareIfPeerClaimsAsync(string extension, CancellationToken cancellationToken, params TusStep[] steps)
    {
        if ((await PeerExtensionsAsync(cancellationToken)).Contains(extension))
        {
            await CompareAsync(cancellationToken, steps);
            return;
        }

        IReadOnlyList<TusExchange> moonbridge = await TusSequence.RunAsync(_example!.Port, steps, cancellationToken);
        string transcript = string.Join("\n", moonbridge.Select((exchange, i) => $"--- step {i}: {exchange.Step}\n  > {exchange}"));
        Assert.Multiple(() =>
        {
            foreach (TusExchange exchange in moonbridge)
            {
                Assert.That(TusPeerComparison.Allowed(exchange.Step), Does.Contain(exchange.Status), $"{exchange.Step}\n{transcript}");
                Assert.That(exchange.Response.Header("Tus-Resumable"), Is.EqualTo("1.0.0"), $"{exchange.Step}\n{transcript}");
            }
        });
        Assert.Ignore(
            $"@tus/server with @tus/file-store does not claim '{extension}' (Tus-Extension: {string.Join(",", _peerExtensions!)}), "
            + "so there is nothing to compare; Moonbridge's side was checked against tus 1.0 alone.");
    }

    private async Task<HashSet<string>> PeerExtensionsAsync(CancellationToken cancellationToken)
    {
        if (_peerExtensions is null)
        {
            IReadOnlyList<TusExchange> options = await TusSequence.RunAsync(_peer!.Port, [new TusStep("OPTIONS", "/files", 204)], cancellationToken);
            _peerExtensions = new HashSet<string>(
                (options[0].Response.Header("Tus-Extension") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                StringComparer.Ordinal);
        }

        return _peerExtensions;
    }

    /// <summary>One sequence's exchanges with each server; its text is the transcript of both.</summary>
    private sealed record Runs(IReadOnlyList<TusExchange> Moonbridge, IReadOnlyList<TusExchange> Peer)
    {
        public override string ToString() => TusSequence.Transcript(Moonbridge, Peer);
    }
}
