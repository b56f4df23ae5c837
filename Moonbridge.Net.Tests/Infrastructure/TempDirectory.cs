namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>A fresh directory under the system's temp path, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mbio-");

    /// <summary>The directory's full path (short enough for Unix socket paths).</summary>
    public string Path => _directory.FullName;

    /// <summary>A path for <paramref name="name"/> inside the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
