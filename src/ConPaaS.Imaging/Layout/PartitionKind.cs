namespace ConPaaS.Imaging.Layout;

/// <summary>What a partition is for; each maps to an MBR type byte and a GPT type GUID.</summary>
public enum PartitionKind
{
    Linux,
    Fat32,
    Swap,
    BiosBoot,
    Esp,
}

public enum PartitionTableKind
{
    Mbr,
    Gpt,
}

public static class PartitionTypes
{
    public static readonly Guid GptLinux = new("0FC63DAF-8483-4772-8E79-3D69D8477DE4");
    public static readonly Guid GptSwap = new("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F");
    public static readonly Guid GptBiosBoot = new("21686148-6449-6E6F-744E-656564454649");
    public static readonly Guid GptEsp = new("C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
    public static readonly Guid GptBasicData = new("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");

    public const byte MbrFat32Lba = 0x0C, MbrLinux = 0x83, MbrSwap = 0x82, MbrEsp = 0xEF, MbrProtective = 0xEE;

    public static byte MbrType(PartitionKind kind) => kind switch
    {
        PartitionKind.Linux => MbrLinux,
        PartitionKind.Fat32 => MbrFat32Lba,
        PartitionKind.Swap => MbrSwap,
        PartitionKind.Esp => MbrEsp,
        _ => throw new InvalidDataException($"a {YamlNames.Of(kind)} partition needs a GPT table"),
    };

    public static Guid GptType(PartitionKind kind) => kind switch
    {
        PartitionKind.Linux => GptLinux,
        PartitionKind.Fat32 => GptBasicData,
        PartitionKind.Swap => GptSwap,
        PartitionKind.BiosBoot => GptBiosBoot,
        PartitionKind.Esp => GptEsp,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string Describe(byte mbrType) => mbrType switch
    {
        MbrFat32Lba => "FAT32 (LBA)",
        0x0B => "FAT32",
        MbrLinux => "Linux",
        MbrSwap => "Linux swap",
        MbrEsp => "EFI System",
        MbrProtective => "GPT protective",
        _ => $"type 0x{mbrType:x2}",
    };

    public static string Describe(Guid gptType) =>
        gptType == GptLinux ? "Linux filesystem"
        : gptType == GptSwap ? "Linux swap"
        : gptType == GptBiosBoot ? "BIOS boot"
        : gptType == GptEsp ? "EFI System"
        : gptType == GptBasicData ? "Microsoft basic data"
        : gptType.ToString().ToUpperInvariant();
}

internal static class YamlNames
{
    public static string Of<T>(T value) where T : struct, Enum => Common.YamlMap.Kebab(value.ToString());
}
