// Checks the Source Link and the build paths of one packed library (run by .ci/pack-check):
//
//   dotnet run .ci/pdb-check.cs -- <id>.nupkg <id>.snupkg <id> <commit>
//
// The DLL in the .nupkg must be a deterministic build (its debug directory has the Reproducible entry) whose PDB
// path is mapped to /_/ (ContinuousIntegrationBuild); the PDB in the .snupkg must be that DLL's (same id), name
// every source document under /_/, carry a Source Link map from /_/* to the repository at <commit>, and embed each
// document that git does not track (generated sources under obj/). Prints one line per package; exits 1 with the
// reasons when anything is off.
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: dotnet run .ci/pdb-check.cs -- <id>.nupkg <id>.snupkg <id> <commit>");
    return 2;
}

string nupkg = args[0], snupkg = args[1], id = args[2], commit = args[3];
var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
var embeddedSourceKind = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
var problems = new List<string>();

byte[] dll = ReadEntry(nupkg, $"lib/net10.0/{id}.dll");
byte[] pdb = ReadEntry(snupkg, $"lib/net10.0/{id}.pdb");

using var pe = new PEReader(new MemoryStream(dll));
var debugDirectory = pe.ReadDebugDirectory();
if (!debugDirectory.Any(entry => entry.Type == DebugDirectoryEntryType.Reproducible))
{
    problems.Add($"{id}.dll is not a deterministic build (no Reproducible debug directory entry)");
}

DebugDirectoryEntry[] codeViews = debugDirectory.Where(entry => entry.Type == DebugDirectoryEntryType.CodeView).ToArray();
CodeViewDebugDirectoryData? codeView = codeViews.Length == 1 ? pe.ReadCodeViewDebugDirectoryData(codeViews[0]) : null;
if (codeView is null)
{
    problems.Add($"{id}.dll has {codeViews.Length} CodeView entries, not one");
}
else if (!codeView.Value.Path.StartsWith("/_/", StringComparison.Ordinal))
{
    problems.Add($"{id}.dll names its PDB {codeView.Value.Path}, not a path under /_/ (ContinuousIntegrationBuild)");
}

using var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb));
MetadataReader reader = pdbProvider.GetMetadataReader();
if (codeView is not null && !new BlobContentId(reader.DebugMetadataHeader!.Id).Guid.Equals(codeView.Value.Guid))
{
    problems.Add($"the PDB in {id}.snupkg does not belong to the DLL in {id}.nupkg");
}

string? sourceLink = null;
var embedded = new HashSet<DocumentHandle>();
foreach (CustomDebugInformationHandle handle in reader.CustomDebugInformation)
{
    CustomDebugInformation information = reader.GetCustomDebugInformation(handle);
    Guid kind = reader.GetGuid(information.Kind);
    if (kind == sourceLinkKind)
    {
        sourceLink = Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value));
    }
    else if (kind == embeddedSourceKind && information.Parent.Kind == HandleKind.Document)
    {
        embedded.Add((DocumentHandle)information.Parent);
    }
}

int documents = 0;
foreach (DocumentHandle handle in reader.Documents)
{
    string name = reader.GetString(reader.GetDocument(handle).Name);
    documents++;
    if (!name.StartsWith("/_/", StringComparison.Ordinal))
    {
        problems.Add($"{id}.pdb names the source {name}, not a path under /_/");
    }
    else if (name.Contains("/obj/", StringComparison.Ordinal) && !embedded.Contains(handle))
    {
        problems.Add($"{id}.pdb neither maps nor embeds the generated source {name}");
    }
}

string? target = null;
if (sourceLink is null)
{
    problems.Add($"{id}.pdb has no Source Link");
}
else
{
    using JsonDocument json = JsonDocument.Parse(sourceLink);
    if (json.RootElement.TryGetProperty("documents", out JsonElement map) && map.TryGetProperty("/_/*", out JsonElement url))
    {
        target = url.GetString();
    }

    if (target is null || !target.Contains($"/{commit}/", StringComparison.Ordinal) || !target.EndsWith("/*", StringComparison.Ordinal))
    {
        problems.Add($"{id}.pdb's Source Link does not map /_/* to the repository at commit {commit}: {sourceLink}");
    }
}

if (problems.Count > 0)
{
    problems.ForEach(problem => Console.Error.WriteLine($"pdb-check: {problem}"));
    return 1;
}

Console.WriteLine($"pdb-check: {id}: deterministic, PDB {codeView!.Value.Path}, {documents} sources under /_/ ({embedded.Count} embedded), Source Link /_/* -> {target}");
return 0;

static byte[] ReadEntry(string package, string entryName)
{
    using ZipArchive archive = ZipFile.OpenRead(package);
    ZipArchiveEntry entry = archive.GetEntry(entryName)
        ?? throw new InvalidOperationException($"{Path.GetFileName(package)} lacks {entryName}");
    using Stream stream = entry.Open();
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    return copy.ToArray();
}
