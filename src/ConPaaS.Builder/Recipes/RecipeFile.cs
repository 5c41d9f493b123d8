using System.Text.RegularExpressions;
using ConPaaS.Builder.Boot;
using ConPaaS.Builder.Stages;
using ConPaaS.Common;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Ova;

namespace ConPaaS.Builder.Recipes;

/// <summary>
/// Loads and validates a recipe. Every problem is an <see cref="InvalidDataException"/> naming the file, the line
/// and what is wrong, raised before any work starts.
/// </summary>
public static partial class RecipeFile
{
    private static readonly string[] Keys =
    [
        "name", "suite", "architecture", "mirror", "components", "variant", "packages", "backports", "initramfs-modules", "container", "hostname", "users",
        "network", "overlays", "units", "hooks", "payloads", "disk", "boot", "kernel-cmdline", "outputs", "hardware",
    ];

    /// <param name="repositoryRoot">Payload sources are relative to it (they come from out/).</param>
    public static Recipe Load(string path, string repositoryRoot)
    {
        var file = Path.GetFullPath(path);
        var map = YamlMap.Load(file);
        map.RejectUnknownKeys(Keys);
        var directory = Path.GetDirectoryName(file)!;
        var container = map.Bool("container") ?? false;

        var recipe = new Recipe
        {
            Name = Checked(map, "name", map.RequireString("name"), SafeName(), "letters, digits, '.', '_' and '-' only"),
            File = file,
            Suite = Checked(map, "suite", map.String("suite") ?? "bookworm", Word(), "a Debian suite name such as bookworm"),
            Architecture = Checked(map, "architecture", map.String("architecture") ?? "amd64", Word(), "a Debian architecture such as amd64"),
            Mirror = Checked(map, "mirror", map.String("mirror") ?? "http://deb.debian.org/debian", MirrorUrl(), "an http(s) URL"),
            Components = map.Has("components") ? map.Strings("components").Select(c => Checked(map, "components", c, Word(), "component names")).ToList() : ["main"],
            Variant = Checked(map, "variant", map.String("variant") ?? "minbase", Word(), "an mmdebstrap variant such as minbase"),
            Packages = map.Strings("packages").Select(p => Checked(map, "packages", p, PackageName(), "Debian package names")).ToList(),
            Backports = map.Strings("backports").Select(p => Checked(map, "backports", p, PackageName(), "Debian package names")).ToList(),
            InitramfsModules = map.Strings("initramfs-modules").Select(m => Checked(map, "initramfs-modules", m, ModuleName(), "kernel module names")).ToList(),
            Container = container,
            Hostname = map.String("hostname") is { } hostname ? Checked(map, "hostname", hostname, HostnamePattern(), "a host name (letters, digits, '-')") : null,
            Users = map.Maps("users").Select(ReadUser).ToList(),
            Network = map.Maps("network").Select(ReadInterface).ToList(),
            Overlays = map.Strings("overlays").Select(o => ExistingPath(map, "overlays", directory, o, directory: true)).ToList(),
            Units = map.Strings("units").Select(u => Checked(map, "units", u, UnitName(), "systemd unit names such as ssh.service")).ToList(),
            Hooks = map.Strings("hooks").Select(h => ExistingPath(map, "hooks", directory, h, directory: false)).ToList(),
            Payloads = map.Maps("payloads").Select(p => ReadPayload(p, repositoryRoot)).ToList(),
            Disk = map.Map("disk") is { } disk ? LayoutFile.FromYaml(disk, directory) : null,
            Boot = map.Enum<BootLoader>("boot") ?? BootLoader.None,
            KernelCommandLine = map.String("kernel-cmdline") ?? "",
            Outputs = map.Enums<OutputFormat>("outputs"),
            Hardware = map.Map("hardware") is { } hardware ? VmHardware.FromYaml(hardware) : null,
        };
        return Validate(recipe, map);
    }

    /// <summary>Checks the recipe as a whole and returns it with its disk planned (the one time it is planned).</summary>
    private static Recipe Validate(Recipe recipe, YamlMap map)
    {
        if (ForeignArchitecture.Problem(recipe.Architecture) is { } architecture) throw map.Error("architecture", architecture);
        foreach (var other in recipe.ExtraArchitectures)
            if (!ForeignArchitecture.IsDebianArchitecture(other))
                throw map.Error("packages", $"'{other}' (after a package's ':') is not a Debian architecture such as amd64");
        if (recipe.Backports.Intersect(recipe.Packages).FirstOrDefault() is { } twice)
            throw map.Error("backports", $"'{twice}' is also under packages; list it once, where it should come from");
        if (recipe.Outputs.Count == 0) throw map.Error("outputs", "list at least one output (ova, vdi, qcow2, raw, vmdk, img-xz, rootfs-tar)");
        if (recipe.Container)
        {
            if (recipe.Outputs.Any(o => o != OutputFormat.RootfsTar)) throw map.Error("outputs", "a container image outputs rootfs-tar only");
            if (recipe.Disk is not null || recipe.Boot != BootLoader.None) throw map.Error("container", "a container has no disk and no boot loader");
            if (recipe.Packages.Any(p => p.StartsWith("linux-image", StringComparison.Ordinal))) throw map.Error("packages", "a container runs the host's kernel; drop linux-image");
            return recipe;
        }
        if (recipe.Outputs.Contains(OutputFormat.RootfsTar)) throw map.Error("outputs", "rootfs-tar is for container images (container: true)");
        if (recipe.Disk is null) throw map.Error("disk", "a VM image needs a disk layout");
        if (!recipe.Disk.Partitions.Any(p => p.Name == DiskLayout.RootName && p.Kind == PartitionKind.Linux))
            throw map.Error("disk", $"the layout needs a linux partition named '{DiskLayout.RootName}' to hold the root filesystem");
        if (recipe.Disk.Partitions.Any(p => p.Image is not null)) throw map.Error("disk", "partitions get their contents from the recipe; drop 'image'");
        var layout = DiskLayout.Of(recipe.Disk, recipe.Name); // sizes, alignment and bounds, before any work starts
        if (recipe.Boot == BootLoader.GrubBios && recipe.Disk.Table != PartitionTableKind.Mbr)
            throw map.Error("boot", "grub-bios is installed into the gap after an MBR; use table: mbr");
        if (recipe.Boot == BootLoader.RaspiFirmware && RaspiFirmware.Problem(recipe) is { } firmware) throw map.Error("boot", firmware);
        if (recipe.Boot != BootLoader.None && !recipe.Packages.Any(p => p.StartsWith("linux-image", StringComparison.Ordinal)))
            throw map.Error("packages", "a bootable image needs a kernel package such as linux-image-amd64");
        if (recipe.Outputs.Contains(OutputFormat.Ova) && recipe.Hardware is null) throw map.Error("hardware", "an .ova output needs the VM hardware");
        if (recipe.Users.Any(u => u.Sudo) && !recipe.Packages.Contains("sudo")) throw map.Error("packages", "a user has sudo: true; add the sudo package");
        var names = recipe.Users.Select(u => u.Name).ToList();
        if (names.Distinct().Count() != names.Count) throw map.Error("users", "a user is listed twice");
        return recipe with { Layout = layout };
    }

    private static UserSpec ReadUser(YamlMap map)
    {
        map.RejectUnknownKeys("name", "password", "sudo", "shell", "ssh-keys");
        var keys = map.Strings("ssh-keys");
        foreach (var key in keys)
            if (!SshKey().IsMatch(key)) throw map.Error("ssh-keys", $"'{Text.Shorten(key)}' is not an OpenSSH public key line");
        return new UserSpec(
            Checked(map, "name", map.RequireString("name"), UserName(), "a lower-case user name"),
            map.String("password"),
            map.Bool("sudo") ?? false,
            map.String("shell") ?? "/bin/bash",
            keys);
    }

    private static InterfaceSpec ReadInterface(YamlMap map)
    {
        map.RejectUnknownKeys("interface", "dhcp", "address", "gateway", "dns");
        var dhcp = map.Bool("dhcp") ?? false;
        var address = map.String("address");
        if (dhcp == (address is not null)) throw map.Error("interface", "give either dhcp: true or a static address");
        if (address is not null && !System.Net.IPNetwork.TryParse(address, out _) || address is not null && !address.Contains('/'))
            throw map.Error("address", $"'{address}' is not an address with a prefix length, e.g. 192.168.56.2/24");
        var gateway = map.String("gateway");
        if (gateway is not null && !System.Net.IPAddress.TryParse(gateway, out _)) throw map.Error("gateway", $"'{gateway}' is not an IP address");
        var dns = map.Strings("dns");
        foreach (var server in dns)
            if (!System.Net.IPAddress.TryParse(server, out _)) throw map.Error("dns", $"'{server}' is not an IP address");
        return new InterfaceSpec(Checked(map, "interface", map.RequireString("interface"), Word(), "an interface name such as eth1"), dhcp, address, gateway, dns);
    }

    private static PayloadSpec ReadPayload(YamlMap map, string repositoryRoot)
    {
        map.RejectUnknownKeys("source", "target", "mode", "unpack");
        var target = map.RequireString("target");
        if (!target.StartsWith('/') || target.Split('/').Contains("..")) throw map.Error("target", $"'{target}' must be an absolute path inside the image");
        var mode = map.String("mode");
        if (mode is not null && !ModePattern().IsMatch(mode)) throw map.Error("mode", $"'{mode}' is not an octal mode such as 0755");
        var unpack = map.Bool("unpack") ?? false;
        if (unpack && mode is not null) throw map.Error("mode", "an unpacked archive keeps the modes it holds; give no mode");
        return new PayloadSpec(Path.GetFullPath(map.RequireString("source"), repositoryRoot), target, mode, unpack);
    }

    private static string ExistingPath(YamlMap map, string key, string baseDirectory, string relative, bool directory)
    {
        var full = Path.GetFullPath(relative, baseDirectory);
        var exists = directory ? System.IO.Directory.Exists(full) : System.IO.File.Exists(full);
        return exists ? full : throw map.Error(key, $"{(directory ? "directory" : "file")} '{relative}' does not exist (looked in {baseDirectory})");
    }

    private static string Checked(YamlMap map, string key, string value, Regex pattern, string expected) =>
        pattern.IsMatch(value) ? value : throw map.Error(key, $"'{Text.Shorten(value)}' is not valid: expected {expected}");

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")] private static partial Regex SafeName();
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,31}$")] private static partial Regex Word();
    [GeneratedRegex(@"^https?://[A-Za-z0-9.:/_~-]+$")] private static partial Regex MirrorUrl();
    /// <summary>A Debian package name, optionally qualified by another architecture (libc6:amd64: multiarch).</summary>
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]{1,63}(:[a-z0-9]+)?$")] private static partial Regex PackageName();
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")] private static partial Regex HostnamePattern();
    [GeneratedRegex(@"^[a-z_][a-z0-9_-]{0,31}$")] private static partial Regex UserName();
    [GeneratedRegex(@"^[A-Za-z0-9@_.:-]+\.(service|socket|timer|target|path|mount)$")] private static partial Regex UnitName();
    [GeneratedRegex(@"^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( .*)?$")] private static partial Regex SshKey();
    [GeneratedRegex(@"^0?[0-7]{3}$")] private static partial Regex ModePattern();
    [GeneratedRegex(@"^[a-z0-9_-]{1,64}$")] private static partial Regex ModuleName();
}
