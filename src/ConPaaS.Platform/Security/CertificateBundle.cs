using System.IO.Compression;

namespace ConPaaS.Platform.Security;

/// <summary>
/// certs.zip as the director's /getcerts sends it: a user's cert.pem, key.pem and ca_cert.pem. Read defensively
/// (exactly those three small files, nothing else), by cps-tools and the frontend alike.
/// </summary>
public sealed record CertificateBundle(string CertificatePem, string KeyPem, string CaPem)
{
    private const int MaxEntryBytes = 64 * 1024;

    /// <summary>Unpacks certs.zip; anything else, or anything damaged, is an InvalidDataException saying what.</summary>
    public static CertificateBundle Read(byte[] zip)
    {
        var wanted = new HashSet<string> { "cert.pem", "key.pem", "ca_cert.pem" };
        var files = new Dictionary<string, string>();
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            foreach (var entry in archive.Entries)
            {
                if (!wanted.Contains(entry.FullName)) throw new InvalidDataException($"certs.zip holds an unexpected entry '{entry.FullName}'");
                if (entry.Length > MaxEntryBytes) throw new InvalidDataException($"certs.zip: {entry.FullName} is implausibly large ({entry.Length} bytes)");
                using var reader = new StreamReader(entry.Open());
                files[entry.FullName] = reader.ReadToEnd();
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("certs.zip"))
        {
            throw new InvalidDataException($"certs.zip is damaged: {e.Message}");
        }
        foreach (var name in wanted)
            if (!files.ContainsKey(name)) throw new InvalidDataException($"certs.zip lacks {name}");
        return new CertificateBundle(files["cert.pem"], files["key.pem"], files["ca_cert.pem"]);
    }
}
