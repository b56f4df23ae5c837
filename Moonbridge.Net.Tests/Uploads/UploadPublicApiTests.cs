using System.Text;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Uploads;
using Moonbridge.Net.Uploads.Storage;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>
/// The uploads API as an application meets it: what a completion handler is told about the upload, the options
/// <see cref="ResumableUploads"/> refuses, and a claims implementation of its own that knows nothing of commits.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UploadPublicApiTests
{
    [Test]
    public async Task TheCompletionHandlerSeesWhatTheClientSaidAtCreation(CancellationToken cancellationToken)
    {
        CompletedUpload? seen = null;
        string? content = null;
        await using var server = UploadTestServer.Start(
            options => options.Owner = request => request.Headers.GetCsvString("X-User"),
            completed: async (upload, ct) =>
            {
                seen = upload;
                await using Stream stream = await upload.OpenReadAsync(ct);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                content = await reader.ReadToEndAsync(ct);
                return UploadResult.Text("ok\n");
            });
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-1);

        string path = await server.CreateAsync(5, cancellationToken, "X-User: alice\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\nContent-Encoding: identity\r\n");
        Exchange appended = await server.AppendAsync(path, 0, complete: true, "hello"u8.ToArray(), cancellationToken, "X-User: alice\r\n");

        Assert.That(appended.Final.BodyText, Is.EqualTo("ok\n"), appended.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(seen!.Id, Is.EqualTo(path.Split('/')[^1]));
            Assert.That(seen.Length, Is.EqualTo(5));
            Assert.That(seen.Owner, Is.EqualTo("alice"));
            Assert.That(seen.ContentType, Is.EqualTo("text/plain"));
            Assert.That(seen.ContentDisposition, Is.EqualTo("attachment; filename=\"a.txt\""));
            Assert.That(seen.ContentEncoding, Is.EqualTo("identity"));
            Assert.That(seen.Metadata, Is.Empty, "tus metadata only");
            Assert.That(seen.CreatedAt, Is.GreaterThan(before).And.LessThan(DateTimeOffset.UtcNow.AddSeconds(1)));
            Assert.That(content, Is.EqualTo("hello"));
        });
    }

    [Test]
    public void OptionsTheServiceCannotUseAreRefusedWhenItIsMade()
    {
        using var directory = new TempDirectory();
        static ValueTask<UploadResult> Done(CompletedUpload upload, CancellationToken cancellationToken) => ValueTask.FromResult(UploadResult.Text("ok\n"));

        Assert.Multiple(() =>
        {
            Assert.That(() => new ResumableUploads(new ResumableUploadOptions { Directory = directory.Path, Path = "files" }, Done), Throws.ArgumentException.With.Message.Contains("Path"));
            Assert.That(() => new ResumableUploads(new ResumableUploadOptions { Directory = directory.Path, Path = "/files/" }, Done), Throws.ArgumentException.With.Message.Contains("Path"));
            Assert.That(() => new ResumableUploads(new ResumableUploadOptions { Directory = directory.Path, Lifetime = TimeSpan.Zero }, Done), Throws.ArgumentException.With.Message.Contains("Lifetime"));
            Assert.That(() => new ResumableUploads(new ResumableUploadOptions { Directory = directory.Path, CheckpointInterval = TimeSpan.FromSeconds(-1) }, Done), Throws.ArgumentException.With.Message.Contains("CheckpointInterval"));
        });
    }

    [Test]
    public async Task ClaimsThatKeepNoCommitStillCoordinateTakeovers(CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory();
        var claims = new PlainClaims();
        var store = new FileUploadStore(directory.Path, claims: claims);
        UploadRecord created = await store.CreateAsync(new UploadCreation { Protocol = UploadProtocol.Ietf, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) }, cancellationToken);

        await using (IUploadAppend hold = (await store.TakeOverAsync(created.Id, cancellationToken))!)
        {
            await hold.WriteAsync("abc"u8.ToArray(), cancellationToken);
            _ = await hold.MakeDurableAsync(cancellationToken);
        }

        UploadRecord? found = await store.FindAsync(created.Id, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(found!.Offset, Is.EqualTo(3), "a claim with the default CommitAsync (its IsHeldAsync) lets durable writes through");
            Assert.That(claims.Asked, Is.GreaterThanOrEqualTo(2), "asked at the takeover and at the durable write");
            Assert.That(claims.Released, Is.EqualTo(1));
        });
    }

    [Test]
    public void TheSupersededExceptionCarriesItsMessageAndCause()
    {
        var cause = new IOException("gone");
        Assert.Multiple(() =>
        {
            Assert.That(new UploadSupersededException().Message, Does.Contain("newer request"));
            Assert.That(new UploadSupersededException("taken over").Message, Is.EqualTo("taken over"));
            Assert.That(new UploadSupersededException("taken over", cause).InnerException, Is.SameAs(cause));
        });
    }

    /// <summary>An <see cref="IUploadClaims"/> written before commits existed: only the required members.</summary>
    private sealed class PlainClaims : IUploadClaims
    {
        public int Asked;
        public int Released;

        public ValueTask<IUploadClaim> ClaimAsync(string id, CancellationToken cancellationToken = default) => ValueTask.FromResult<IUploadClaim>(new Claim(this));

        private sealed class Claim(PlainClaims owner) : IUploadClaim
        {
            public CancellationToken Superseded => CancellationToken.None;

            public ValueTask<bool> IsHeldAsync(CancellationToken cancellationToken = default)
            {
                Interlocked.Increment(ref owner.Asked);
                return ValueTask.FromResult(true);
            }

            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref owner.Released);
                return ValueTask.CompletedTask;
            }
        }
    }
}
