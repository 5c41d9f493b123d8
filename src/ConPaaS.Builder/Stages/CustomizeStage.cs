using System.Security.Cryptography;
using System.Text;
using ConPaaS.Builder.Boot;
using ConPaaS.Builder.Recipes;
using ConPaaS.Imaging.Common;
using ConPaaS.Processes;

namespace ConPaaS.Builder.Stages;

/// <summary>
/// Turns the cached root filesystem tarball into the recipe's system, without mounting anything: unpack, write
/// files (overlays, payloads, hostname, network, users' keys, boot files) through <see cref="TargetTree"/>, run the
/// few target programs that must (useradd, systemctl enable, hooks) chrooted in a PID namespace that dies with the
/// build, clamp timestamps, then make the filesystem with mke2fs -d (or, for a container, a rootfs tarball).
/// </summary>
public static class CustomizeStage
{
    public const string RootFilesystem = "root.ext4";
    public const string ContainerTarball = "rootfs.tar.xz";

    public static readonly HostTool Tar = new("tar", "tar");

    /// <summary>tar -J compresses a container's tarball with it.</summary>
    public static readonly HostTool Xz = new("xz", "xz-utils");

    public static readonly HostTool Find = new("find", "findutils"), Touch = new("touch", "coreutils");

    /// <summary>Hashes users' passwords.</summary>
    public static readonly HostTool Openssl = new("openssl", "openssl");

    public static readonly HostTool Mke2fs = new("mke2fs", "e2fsprogs");

    public static IReadOnlyList<HostTool> Tools => [Tar, Xz, Find, Touch, Openssl, Mke2fs, .. ChrootRunner.Tools, .. RaspiFirmware.Tools];

    public static string Key(Recipe recipe, string rootFsKey, long sourceDateEpoch)
    {
        var inputs = new List<string> { recipe.File };
        inputs.AddRange(recipe.Overlays.SelectMany(o => Directory.EnumerateFiles(o, "*", SearchOption.AllDirectories)));
        inputs.AddRange(recipe.Hooks);
        inputs.AddRange(recipe.Payloads.SelectMany(p => p.Files));
        if (recipe.Boot == BootLoader.GrubBios) inputs.AddRange(GrubBios.HostFiles);
        return StageCache.Key(recipe.Directory, inputs, "customize-v5", rootFsKey, sourceDateEpoch.ToString(), RootSize(recipe).ToString());
    }

    /// <summary>The root filesystem's UUID, fixed by the recipe's name so that rebuilds give the same bytes.</summary>
    public static Guid RootUuid(Recipe recipe) => DeterministicId.Guid($"{recipe.Name}/rootfs");

    public static async Task<string> BuildAsync(BuildContext context, Recipe recipe, string rootFsTar, string rootFsKey, long sourceDateEpoch)
    {
        var key = Key(recipe, rootFsKey, sourceDateEpoch);
        return await context.Cache.GetOrBuildAsync("customize", $"{recipe.Name}-{key}", async work =>
        {
            var tree = new TargetTree(Path.Combine(work, "tree"));
            Directory.CreateDirectory(tree.Root);
            try
            {
                await context.RunAsync(Tar.Command("--numeric-owner", "--xattrs", "--xattrs-include=*", "-xpf", rootFsTar, "-C", tree.Root));
                await CustomizeAsync(context, recipe, tree, sourceDateEpoch);
                await ClampTimestampsAsync(context, tree, sourceDateEpoch);
                if (recipe.Boot == BootLoader.RaspiFirmware)
                    await RaspiFirmware.MakePartitionAsync(context, recipe, tree, Path.Combine(work, RaspiFirmware.Image), sourceDateEpoch);
                if (recipe.Container) await PackContainerAsync(context, tree, Path.Combine(work, ContainerTarball), sourceDateEpoch);
                else await MakeExt4Async(context, recipe, tree, Path.Combine(work, RootFilesystem), sourceDateEpoch);
            }
            finally
            {
                if (Directory.Exists(tree.Root)) Directory.Delete(tree.Root, recursive: true);
            }
        });
    }

    private static async Task CustomizeAsync(BuildContext context, Recipe recipe, TargetTree tree, long epoch)
    {
        var chroot = new ChrootRunner(context, tree, recipe.Architecture, epoch);
        // No service may start while we work inside the image.
        tree.WriteText("/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", (UnixFileMode)0b111_101_101);
        try
        {
            if (recipe.Hostname is { } hostname)
            {
                tree.WriteText("/etc/hostname", hostname + "\n");
                tree.WriteText("/etc/hosts", $"127.0.0.1\tlocalhost\n127.0.1.1\t{hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n");
            }
            foreach (var overlay in recipe.Overlays) tree.Overlay(overlay);
            foreach (var payload in recipe.Payloads)
            {
                if (payload.Unpack)
                {
                    if (!File.Exists(payload.Source)) throw new InvalidDataException($"{recipe.File}: payload {payload.Source} does not exist (build the target that makes it first)");
                    tree.CreateDirectory(payload.Target);
                    await context.RunAsync(Tar.Command("--numeric-owner", "--xattrs", "--xattrs-include=*", "-xpf", payload.Source, "-C", tree.HostPath(payload.Target)));
                }
                else if (Directory.Exists(payload.Source))
                {
                    if (payload.Mode is not null) throw new InvalidDataException($"{recipe.File}: payload {payload.Source} is a directory; its files keep their own modes, so give no mode");
                    tree.Overlay(payload.Source, payload.Target);
                }
                else if (File.Exists(payload.Source)) tree.CopyFile(payload.Source, payload.Target, (UnixFileMode)Convert.ToInt32(payload.Mode ?? "0644", 8));
                else throw new InvalidDataException($"{recipe.File}: payload {payload.Source} does not exist (build the target that makes it first)");
            }
            foreach (var user in recipe.Users) await AddUserAsync(context, chroot, tree, recipe, user);
            var units = new List<string>(recipe.Units);
            units.AddRange(WriteNetwork(recipe, tree));
            PrepareSshHostKeys(tree, units);
            if (recipe.Boot == BootLoader.GrubBios) WriteBootFiles(recipe, tree);
            if (recipe.Boot == BootLoader.RaspiFirmware) RaspiFirmware.CheckTree(recipe, tree);
            if (recipe.Layout is not null) WriteFstab(recipe, tree);
            if (units.Count > 0) await chroot.RunAsync(["systemctl", "enable", .. units.Distinct()]);
            foreach (var hook in recipe.Hooks) await chroot.RunScriptAsync(hook);
            // A fresh identity on every first boot, not one baked into every copy of the image.
            if (tree.Exists("/etc/machine-id")) tree.WriteText("/etc/machine-id", "");
            tree.Delete("/var/lib/dbus/machine-id");
        }
        finally
        {
            tree.Delete("/usr/sbin/policy-rc.d");
        }
    }

    private static async Task AddUserAsync(BuildContext context, ChrootRunner chroot, TargetTree tree, Recipe recipe, UserSpec user)
    {
        List<string> useradd = ["useradd", "--create-home", "--shell", user.Shell];
        if (user.Sudo) useradd.AddRange(["--groups", "sudo"]);
        await chroot.RunAsync([.. useradd, user.Name]);
        if (user.Password is { } password)
        {
            // SHA-512 crypt with a salt fixed by the recipe, so the same recipe gives the same /etc/shadow.
            var salt = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{recipe.Name}/{user.Name}")))[..16].Replace('+', '.');
            var hash = (await (Openssl.Command("passwd", "-6", "-salt", salt, "-stdin") with { StandardInput = Encoding.UTF8.GetBytes(password + "\n") })
                .RunAsync(context.CancellationToken)).StandardOutput.Trim();
            await chroot.RunAsync(["usermod", "--password", hash, user.Name]);
        }
        if (user.SshKeys.Count > 0)
        {
            var home = $"/home/{user.Name}";
            tree.CreateDirectory($"{home}/.ssh");
            File.SetUnixFileMode(tree.HostPath($"{home}/.ssh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            tree.WriteText($"{home}/.ssh/authorized_keys", string.Join('\n', user.SshKeys) + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await chroot.RunAsync(["chown", "-R", $"{user.Name}:{user.Name}", $"{home}/.ssh"]);
        }
    }

    /// <summary>systemd-networkd files for the recipe's interfaces; returns the units that must be enabled.</summary>
    private static IEnumerable<string> WriteNetwork(Recipe recipe, TargetTree tree)
    {
        if (recipe.Network.Count == 0) return [];
        foreach (var (spec, index) in recipe.Network.Select((s, i) => (s, i)))
        {
            var text = new StringBuilder($"[Match]\nName={spec.Interface}\n\n[Network]\n");
            if (spec.Dhcp) text.Append("DHCP=yes\n");
            else text.Append($"Address={spec.Address}\n");
            if (spec.Gateway is { } gateway) text.Append($"Gateway={gateway}\n");
            foreach (var dns in spec.Dns) text.Append($"DNS={dns}\n");
            tree.WriteText($"/etc/systemd/network/{10 + index}-{spec.Interface}.network", text.ToString());
        }
        var units = new List<string> { "systemd-networkd.service" };
        if (tree.Exists("/lib/systemd/system/systemd-resolved.service"))
        {
            units.Add("systemd-resolved.service");
            tree.Symlink("/etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf");
        }
        return units;
    }

    /// <summary>
    /// Host keys made at build time would be shared by every machine made from the image (and differ between
    /// builds): remove them, and have each machine make its own before sshd first starts. Ed25519 and ECDSA only:
    /// an RSA key takes many seconds to make on an emulated CPU, and every current client speaks the others.
    /// </summary>
    private static void PrepareSshHostKeys(TargetTree tree, List<string> units)
    {
        if (!tree.Exists("/lib/systemd/system/ssh.service")) return;
        foreach (var key in tree.List("/etc/ssh", "ssh_host_*")) tree.Delete($"/etc/ssh/{key}");
        tree.WriteText("/etc/systemd/system/ssh-host-keys.service", """
            [Unit]
            Description=Generate this machine's SSH host keys
            Before=ssh.service
            ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

            [Service]
            Type=oneshot
            ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key
            ExecStart=/usr/bin/ssh-keygen -q -t ecdsa -N "" -f /etc/ssh/ssh_host_ecdsa_key

            [Install]
            WantedBy=multi-user.target

            """);
        units.Add("ssh-host-keys.service");
    }

    /// <summary>/etc/fstab from the disk's layout: the root, every swap partition, and the Pi's firmware partition.</summary>
    private static void WriteFstab(Recipe recipe, TargetTree tree)
    {
        var lines = new StringBuilder($"UUID={RootUuid(recipe)}\t/\text4\terrors=remount-ro\t0\t1\n");
        if (recipe.Boot == BootLoader.RaspiFirmware) lines.Append(RaspiFirmware.FstabLine(recipe));
        foreach (var swap in recipe.Layout!.Plan.Partitions.Where(p => p.Kind == Imaging.Layout.PartitionKind.Swap))
            lines.Append($"UUID={ImageStage.SwapUuid(recipe, swap)}\tnone\tswap\tsw\t0\t0\n");
        tree.WriteText("/etc/fstab", lines.ToString());
    }

    private static void WriteBootFiles(Recipe recipe, TargetTree tree)
    {
        var kernel = tree.List("/boot", "vmlinuz-*").LastOrDefault()
            ?? throw new InvalidDataException($"{recipe.File}: no kernel in /boot of the root filesystem; add linux-image-{recipe.Architecture} to packages");
        var version = kernel["vmlinuz-".Length..];
        tree.Symlink("/vmlinuz", $"boot/vmlinuz-{version}");
        tree.Symlink("/initrd.img", $"boot/initrd.img-{version}");
        tree.WriteText("/etc/kernel-img.conf", "do_symlinks = yes\nlink_in_boot = no\n");
        GrubBios.InstallFiles(tree, RootUuid(recipe), recipe.KernelCommandLine);
    }

    private static Task ClampTimestampsAsync(BuildContext context, TargetTree tree, long epoch) =>
        context.RunAsync(Find.Command(tree.Root, "-newermt", $"@{epoch}", "-exec", Touch.Name, "--no-dereference", "--date", $"@{epoch}", "{}", "+"));

    /// <summary>The size mke2fs makes the root filesystem: the root partition's planned size.</summary>
    public static long RootSize(Recipe recipe) => recipe.Layout?.Root.Size ?? 0;

    private static async Task MakeExt4Async(BuildContext context, Recipe recipe, TargetTree tree, string output, long epoch)
    {
        var uuid = RootUuid(recipe).ToString();
        var seed = DeterministicId.Guid($"{recipe.Name}/rootfs-hash-seed").ToString();
        await context.RunAsync(Mke2fs.Command("-q", "-F", "-t", "ext4", "-L", "root", "-U", uuid, "-d", tree.Root,
                "-E", $"root_owner=0:0,hash_seed={seed},lazy_itable_init=1,lazy_journal_init=1", output, $"{RootSize(recipe) / 1024}k")
            .WithEnvironment("E2FSPROGS_FAKE_TIME", epoch.ToString()));
        // mke2fs copies each file's ctime and atime, which the kernel set as we unpacked and read it; pin them too.
        var inodes = Imaging.Ext4.InodeTimestamps.SetChangeAndAccessTimes(output, checked((uint)epoch));
        BuildContext.Log($"  set the change and access times of {inodes} inodes to SOURCE_DATE_EPOCH");
    }

    private static Task PackContainerAsync(BuildContext context, TargetTree tree, string output, long epoch) =>
        context.RunAsync(Tar.Command("--sort=name", "--numeric-owner", "--xattrs", "--xattrs-include=*", $"--mtime=@{epoch}",
                "--clamp-mtime", "-cJf", output, "-C", tree.Root, ".")
            // xz's multi-threaded compressor gives the same bytes whatever the number of threads (0: one per core,
            // multi-threaded even on one core since xz 5.4); single-threaded it took 128 s of a cold build here.
            // Level 1, as for the Pi's card image: the Pi's 701 MB container tree took 29 s and 193 MB, against 121 s
            // and 163 MB at -6 (xz -N -T0 -c on this 2-core machine); the tarball mostly travels inside an image,
            // whose own compression does not depend on it.
            .WithEnvironment("XZ_OPT", "-1 -T0"));
}
