using System.CommandLine;
using ConPaaS.Imaging.Cli;

var root = new RootCommand("cps-image: disk images without mounts (layout, MBR/GPT, VMDK, VDI, qcow2, OVA)")
{
    Commands.Layout(),
    Commands.Convert(),
    Commands.Inspect(),
    Commands.Ova(),
    Commands.Verify(),
};
return await root.Parse(args).InvokeAsync();
