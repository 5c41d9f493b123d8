using ConPaaS.Builder.Boot;
using ConPaaS.Builder.Recipes;

namespace ConPaaS.Builder.Stages;

/// <summary>
/// The root filesystem as mmdebstrap makes it, as a tarball, cached by everything that decides its contents:
/// suite, architecture, mirror, components, variant, packages and backports. mmdebstrap runs in unshare mode, so whatever it
/// mounts lives in its own namespace and vanishes with it, even when the build is killed.
/// </summary>
public static class RootFsStage
{
    public static readonly HostTool Mmdebstrap = new("mmdebstrap", "mmdebstrap");

    /// <summary>mmdebstrap --mode=unshare maps the build user's subordinate ids with it.</summary>
    public static readonly HostTool Newuidmap = new("newuidmap", "uidmap");

    public static IReadOnlyList<HostTool> Tools => [Mmdebstrap, Newuidmap, .. ForeignArchitecture.Tools];

    public static string Key(Recipe recipe) => StageCache.Key("", [], ["rootfs-v1", recipe.Suite, recipe.Architecture, recipe.Mirror,
        string.Join(',', recipe.Components), recipe.Variant, string.Join(',', recipe.Packages.Order(StringComparer.Ordinal)),
        string.Join(',', recipe.Backports.Order(StringComparer.Ordinal)),
        string.Join(',', recipe.InitramfsModules), .. RaspiFirmware.MmdebstrapOptions(recipe)]);

    public static async Task<string> BuildAsync(BuildContext context, Recipe recipe, long sourceDateEpoch)
    {
        var directory = await context.Cache.GetOrBuildAsync("rootfs", Key(recipe), work =>
            context.RunAsync(ForeignArchitecture.For(recipe.Architecture, Mmdebstrap.Command(Arguments(recipe, Path.Combine(work, "rootfs.tar")))
                .WithEnvironment("SOURCE_DATE_EPOCH", sourceDateEpoch.ToString()))));
        return Path.Combine(directory, "rootfs.tar");
    }

    /// <summary>mmdebstrap's arguments for the recipe's root, written as a tarball to <paramref name="tarball"/>.</summary>
    public static IReadOnlyList<string> Arguments(Recipe recipe, string tarball)
    {
        var arguments = new List<string>
        {
            // The recipe's architecture first (the root's own), then any a qualified package names (libc6:amd64):
            // dpkg's multiarch, for programs of another architecture run through qemu-user.
            "--mode=unshare", $"--variant={recipe.Variant}", $"--arch={string.Join(',', [recipe.Architecture, .. recipe.ExtraArchitectures])}",
            $"--components={string.Join(',', recipe.Components)}",
            // Keep the tarball lean and free of per-build noise.
            "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-include=/usr/share/doc/*/copyright",
            "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
            // OpenJDK's postinst registers its man pages as alternatives and fails when man1 is missing, which
            // the path-exclude above arranges (Debian #863199): the directory exists, empty.
            "--essential-hook=mkdir -p \"$1\"/usr/share/man/man1",
            "--customize-hook=rm -f \"$1\"/var/cache/ldconfig/aux-cache \"$1\"/var/log/*.log \"$1\"/var/log/apt/*",
        };
        arguments.AddRange(InitramfsHooks(recipe));
        arguments.AddRange(RaspiFirmware.MmdebstrapOptions(recipe));
        // apt's package/release picks a package's backport; what it depends on follows from there where needed.
        string[] included = [.. recipe.Packages, .. recipe.Backports.Select(p => $"{p}/{BackportsSuite(recipe)}")];
        if (included.Length > 0) arguments.Add($"--include={string.Join(',', included)}");
        arguments.AddRange([recipe.Suite, tarball, recipe.Mirror]);
        // A second source, in sources.list's one-line form, that only the backports above are taken from.
        if (recipe.Backports.Count > 0) arguments.Add($"deb {recipe.Mirror} {BackportsSuite(recipe)} {string.Join(' ', recipe.Components)}");
        return arguments;
    }

    private static string BackportsSuite(Recipe recipe) => recipe.Suite + "-backports";

    /// <summary>
    /// Before any package is installed, configure initramfs-tools for a small initrd: MODULES=list plus a hook that
    /// adds the recipe's modules, so the kernel package's own postinst builds the initrd we want.
    /// </summary>
    private static IEnumerable<string> InitramfsHooks(Recipe recipe)
    {
        if (recipe.InitramfsModules.Count == 0) yield break;
        const string hook = "/etc/initramfs-tools/hooks/image-modules";
        yield return "--setup-hook=mkdir -p \"$1\"/etc/initramfs-tools/conf.d \"$1\"/etc/initramfs-tools/hooks";
        yield return "--setup-hook=echo MODULES=list > \"$1\"/etc/initramfs-tools/conf.d/image-modules.conf";
        yield return "--setup-hook=printf '%s\\n' '#!/bin/sh' '[ \"$1\" = prereqs ] && exit 0' '. /usr/share/initramfs-tools/hook-functions' " +
                     $"'manual_add_modules {string.Join(' ', recipe.InitramfsModules)}' > \"$1\"{hook} && chmod 755 \"$1\"{hook}";
    }
}
