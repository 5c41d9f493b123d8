using System.Text;

namespace ConPaaS.Imaging.Tests;

/// <summary>Disk contents with the mix real disks have: zero runs, random bytes, text, and odd-sized tails.</summary>
internal static class TestDisks
{
    public static byte[] Pattern(int size, int seed = 1)
    {
        var data = new byte[size];
        var random = new Random(seed);
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i} of a config file\n")));
        for (var offset = 0; offset < size;)
        {
            var run = Math.Min(random.Next(1, 300_000), size - offset);
            switch (random.Next(3))
            {
                case 0: break; // zeros
                case 1: random.NextBytes(data.AsSpan(offset, run)); break;
                default:
                    for (var i = 0; i < run; i++) data[offset + i] = text[(offset + i) % text.Length];
                    break;
            }
            offset += run;
        }
        return data;
    }

    public static string WriteRaw(ConPaaS.Testing.TempDirectory temp, string name, byte[] data)
    {
        var path = temp.File(name);
        File.WriteAllBytes(path, data);
        return path;
    }

    public static byte[] ReadAll(Sources.DiskSource disk, int chunk = 1 << 20)
    {
        var result = new byte[disk.Length];
        for (long offset = 0; offset < disk.Length; offset += chunk)
        {
            var span = result.AsSpan((int)offset, (int)Math.Min(chunk, disk.Length - offset));
            var buffer = new byte[chunk];
            if (disk.Read(offset, buffer)) buffer.AsSpan(0, span.Length).CopyTo(span);
        }
        return result;
    }
}
