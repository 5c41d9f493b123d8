using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using ConPaaS.Imaging.Vmdk;

namespace ConPaaS.Imaging.Ova;

/// <summary>The result of checking an .ova: what was checked, and every problem found.</summary>
public sealed record OvaReport(IReadOnlyList<string> Checked, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Checks an .ova the way an importer would, treating it as hostile: member order (.ovf, .mf, disks), safe
/// member names, a well-formed OVF without DTDs, every referenced file present with its declared size, every
/// manifest digest correct, and every disk a readable streamOptimized VMDK of the declared capacity.
/// </summary>
public static partial class OvaVerifier
{
    private const long MaxTextMemberBytes = 4 << 20;

    private sealed record Digest(HashAlgorithmName Algorithm, string Hex, int Line);

    public static OvaReport Verify(string path)
    {
        var ok = new List<string>();
        var problems = new List<string>();
        var members = new List<(string Name, long Size)>();
        XmlDocument? ovf = null;
        byte[]? ovfBytes = null;
        var digests = new Dictionary<string, Digest>();
        var mfName = "";
        try
        {
            using var file = File.OpenRead(path);
            using var tar = new TarReader(file);
            while (tar.GetNextEntry() is { } entry)
            {
                var index = members.Count;
                var where = $"member {index + 1} '{entry.Name}'";
                members.Add((entry.Name, entry.Length));
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    problems.Add($"{where}: is a {entry.EntryType}, not a regular file");
                    continue;
                }
                if (entry.Name.Length == 0 || entry.Name.IndexOfAny(['/', '\\']) >= 0 || entry.Name is "." or "..")
                {
                    problems.Add($"{where}: unsafe name (an .ova holds plain file names only)");
                    continue;
                }
                var data = entry.DataStream ?? Stream.Null;
                if (index < 2)
                {
                    if (entry.Length > MaxTextMemberBytes)
                    {
                        problems.Add($"{where}: {entry.Length} bytes is too large for a descriptor or manifest");
                        continue;
                    }
                    var bytes = new byte[entry.Length];
                    data.ReadExactly(bytes);
                    if (index == 0)
                    {
                        ovf = ParseOvf(bytes, entry.Name, problems);
                        ovfBytes = bytes;
                    }
                    else
                    {
                        mfName = entry.Name;
                        digests = ParseManifest(Encoding.ASCII.GetString(bytes), entry.Name, problems);
                        if (ovfBytes is not null) CheckDigest(members[0].Name, new MemoryStream(ovfBytes), digests, ok, problems);
                    }
                    continue;
                }
                CheckDigest(entry.Name, data, digests, ok, problems);
                if (entry.Name.EndsWith(".vmdk", StringComparison.OrdinalIgnoreCase) && data.CanSeek)
                    CheckVmdk(where, data, Capacity(ovf, entry.Name, problems), ok, problems);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException or IOException)
        {
            problems.Add($"{path}: not a readable tar archive: {e.Message}");
            return new OvaReport(ok, problems);
        }

        CheckOrder(members, ok, problems);
        if (ovf is not null) CheckReferences(ovf, members, ok, problems);
        foreach (var (name, _) in members.Where((m, i) => i != 1 && !digests.ContainsKey(m.Name)))
            problems.Add($"'{name}' is not listed in the manifest {mfName}");
        foreach (var name in digests.Keys.Where(n => members.All(m => m.Name != n)))
            problems.Add($"{mfName}:{digests[name].Line}: lists '{name}', which the archive does not hold");
        return new OvaReport(ok, problems);
    }

    private static void CheckOrder(List<(string Name, long Size)> members, List<string> ok, List<string> problems)
    {
        if (members.Count < 1 || !members[0].Name.EndsWith(".ovf", StringComparison.OrdinalIgnoreCase))
            problems.Add($"the first member must be the .ovf descriptor, found '{(members.Count > 0 ? members[0].Name : "nothing")}'");
        else ok.Add($"order: {members[0].Name} first");
        if (members.Count < 2 || !members[1].Name.EndsWith(".mf", StringComparison.OrdinalIgnoreCase))
            problems.Add($"the second member must be the .mf manifest, found '{(members.Count > 1 ? members[1].Name : "nothing")}'");
        else ok.Add($"order: {members[1].Name} second");
        if (members.Select(m => m.Name).Distinct().Count() != members.Count) problems.Add("a member name appears twice");
    }

    private static XmlDocument? ParseOvf(byte[] bytes, string name, List<string> problems)
    {
        var document = new XmlDocument { XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(bytes),
                new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxTextMemberBytes });
            document.Load(reader);
        }
        catch (XmlException e)
        {
            problems.Add($"{name}: not well-formed XML: {e.Message}");
            return null;
        }
        if (document.DocumentElement is { LocalName: "Envelope", NamespaceURI: OvfDescriptor.OvfNs }) return document;
        problems.Add($"{name}: the root element is not an OVF 1.0 Envelope");
        return null;
    }

    private static XmlNamespaceManager Namespaces(XmlDocument document)
    {
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("ovf", OvfDescriptor.OvfNs);
        return ns;
    }

    private static void CheckReferences(XmlDocument ovf, List<(string Name, long Size)> members, List<string> ok, List<string> problems)
    {
        var ns = Namespaces(ovf);
        var files = ovf.SelectNodes("/ovf:Envelope/ovf:References/ovf:File", ns)!.Cast<XmlElement>().ToList();
        var hrefs = files.Select(f => f.GetAttribute("href", OvfDescriptor.OvfNs)).ToList();
        foreach (var reference in files)
        {
            var href = reference.GetAttribute("href", OvfDescriptor.OvfNs);
            var member = members.Skip(2).FirstOrDefault(m => m.Name == href);
            if (member.Name is null) problems.Add($"the OVF references '{href}', which the archive does not hold");
            else if (reference.GetAttribute("size", OvfDescriptor.OvfNs) is { Length: > 0 } text && !TryParseBytes(text, out _))
                problems.Add($"the OVF's size of '{href}' is '{ConPaaS.Common.Text.Shorten(text)}', not a number of bytes");
            else if (TryParseBytes(reference.GetAttribute("size", OvfDescriptor.OvfNs), out var size) && size != member.Size)
                problems.Add($"the OVF says '{href}' is {size} bytes; the archive holds {member.Size}");
            else ok.Add($"reference: {href} present ({member.Size} bytes)");
        }
        foreach (var extra in members.Skip(2).Where(m => !hrefs.Contains(m.Name)))
            problems.Add($"member '{extra.Name}' is not referenced by the OVF");
        if (ovf.SelectSingleNode("/ovf:Envelope/ovf:VirtualSystem/ovf:VirtualHardwareSection", ns) is null)
            problems.Add("the OVF has no VirtualSystem/VirtualHardwareSection");
    }

    /// <summary>The capacity the OVF's DiskSection declares for the disk stored in <paramref name="href"/>; a
    /// capacity that is there but is not a number of bytes is a problem, not something to skip.</summary>
    private static long? Capacity(XmlDocument? ovf, string href, List<string> problems)
    {
        if (ovf is null) return null;
        var ns = Namespaces(ovf);
        var fileId = ovf.SelectNodes("/ovf:Envelope/ovf:References/ovf:File", ns)!.Cast<XmlElement>()
            .FirstOrDefault(f => f.GetAttribute("href", OvfDescriptor.OvfNs) == href)?.GetAttribute("id", OvfDescriptor.OvfNs);
        var disk = ovf.SelectNodes("/ovf:Envelope/ovf:DiskSection/ovf:Disk", ns)!.Cast<XmlElement>()
            .FirstOrDefault(d => fileId is not null && d.GetAttribute("fileRef", OvfDescriptor.OvfNs) == fileId);
        if (disk is null) return null;
        var text = disk.GetAttribute("capacity", OvfDescriptor.OvfNs);
        if (TryParseBytes(text, out var capacity)) return capacity;
        problems.Add($"the OVF's capacity of '{href}' is '{ConPaaS.Common.Text.Shorten(text)}', not a number of bytes");
        return null;
    }

    private static bool TryParseBytes(string text, out long value) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);

    private static Dictionary<string, Digest> ParseManifest(string text, string name, List<string> problems)
    {
        var digests = new Dictionary<string, Digest>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var match = ManifestLine().Match(line);
            if (!match.Success)
            {
                problems.Add($"{name}:{lineNumber}: not an 'ALGORITHM(file)= hex' line");
                continue;
            }
            var algorithm = new HashAlgorithmName(match.Groups[1].Value.ToUpperInvariant());
            if (!digests.TryAdd(match.Groups[2].Value, new Digest(algorithm, match.Groups[3].Value.ToLowerInvariant(), lineNumber)))
                problems.Add($"{name}:{lineNumber}: '{match.Groups[2].Value}' is listed twice");
        }
        return digests;
    }

    private static void CheckDigest(string name, Stream data, Dictionary<string, Digest> digests, List<string> ok, List<string> problems)
    {
        if (!digests.TryGetValue(name, out var expected)) return;
        using var hash = IncrementalHash.CreateHash(expected.Algorithm);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = data.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual == expected.Hex) ok.Add($"digest: {name} {expected.Algorithm.Name} matches");
        else problems.Add($"digest mismatch for '{name}': the manifest says {expected.Algorithm.Name} {expected.Hex}, the content has {actual}");
    }

    private static void CheckVmdk(string where, Stream data, long? declaredCapacity, List<string> ok, List<string> problems)
    {
        try
        {
            data.Position = 0;
            using var reader = new VmdkReader(data, leaveOpen: true);
            if (reader.CreateType != "streamOptimized") problems.Add($"{where}: createType is '{reader.CreateType}', expected streamOptimized");
            if (declaredCapacity is { } capacity && capacity != reader.Length)
                problems.Add($"{where}: the OVF declares a capacity of {capacity} bytes, the disk holds {reader.Length}");
            var buffer = new byte[reader.GrainSize * 16];
            for (long offset = 0; offset < reader.Length; offset += buffer.Length) reader.Read(offset, buffer);
            ok.Add($"disk: {where} is a readable streamOptimized VMDK of {reader.Length} bytes");
        }
        catch (InvalidDataException e)
        {
            problems.Add($"{where}: {e.Message}");
        }
    }

    [GeneratedRegex(@"^(SHA256|SHA1|SHA512|SHA384)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ManifestLine();
}
