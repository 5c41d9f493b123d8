using System.Text;

namespace ConPaaS.Imaging.Vmdk;

/// <summary>The text descriptor embedded after the header of a single-extent streamOptimized VMDK.</summary>
internal static class VmdkDescriptor
{
    public static string Create(long capacitySectors, string extentName, uint contentId, Guid uuid)
    {
        // Geometry as VirtualBox and qemu present it for IDE: 16 heads, 63 sectors, cylinders capped at 16383.
        var cylinders = Math.Min(capacitySectors / (16 * 63), 16383);
        var text = new StringBuilder()
            .Append("# Disk DescriptorFile\n")
            .Append("version=1\n")
            .Append($"CID={contentId:x8}\n")
            .Append("parentCID=ffffffff\n")
            .Append("createType=\"streamOptimized\"\n\n")
            .Append("# Extent description\n")
            .Append($"RW {capacitySectors} SPARSE \"{extentName}\"\n\n")
            .Append("# The Disk Data Base\n#DDB\n\n")
            .Append("ddb.virtualHWVersion = \"4\"\n")
            .Append("ddb.adapterType = \"ide\"\n")
            .Append($"ddb.geometry.cylinders = \"{cylinders}\"\n")
            .Append("ddb.geometry.heads = \"16\"\n")
            .Append("ddb.geometry.sectors = \"63\"\n")
            .Append($"ddb.uuid.image = \"{uuid}\"\n");
        return text.ToString();
    }

    /// <summary>The createType value, or null when the text does not look like a descriptor.</summary>
    public static string? CreateType(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("createType", StringComparison.Ordinal) && trimmed.Split('=', 2) is [_, var value])
                return value.Trim().Trim('"');
        }
        return null;
    }
}
