using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using ConPaaS.Build;
using ConPaaS.Builder;
using ConPaaS.Processes;

namespace Build.Tests;

/// <summary>
/// The host tools a plan declares are the ones its code can run. Commands are built only from <see cref="HostTool"/>
/// declarations (or name a program the build publishes), so the tools a target can run are the declarations its
/// code loads: this walks the IL of each target's code (lambdas, async state machines and local functions
/// included) through the build host and the builder, and checks each tool it finds is declared by the plan.
/// </summary>
public class HostToolDeclarationTests
{
    private static readonly Assembly[] Ours = [typeof(Target).Assembly, typeof(HostTool).Assembly];

    /// <summary>What ConPaaS.Processes runs around a command of ours: its code holds no declarations to find.</summary>
    private static readonly Dictionary<(Type, string), HostTool[]> ProcessesRuns = new()
    {
        [(typeof(ProcessRunner), nameof(ProcessRunner.RunAsync))] = [BuildContext.Setsid],
        [(typeof(BackgroundProcess), nameof(BackgroundProcess.Start))] = [BuildContext.Setsid],
        [(typeof(Command), nameof(Command.Contained))] = [BuildContext.Setpriv, BuildContext.Unshare],
    };

    [Fact]
    public void EveryToolATargetCanRunIsDeclaredByItsPlan()
    {
        var graph = new TargetGraph(BuildTargets.All);
        var problems = new List<string>();
        foreach (var target in BuildTargets.All)
        {
            var declared = graph.PlanFor(target.Name).SelectMany(t => t.Tools).Select(t => t.Name).ToHashSet();
            foreach (var (tool, via) in ToolsReachableFrom(target.Run.Method))
                if (!declared.Contains(tool.Name)) problems.Add($"{target.Name} can run {tool.Name} (in {via}) but its plan does not declare it");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheWalkFindsTheToolsTheStagesRun()
    {
        // Guards the test above against passing because the walk sees nothing.
        var nutshell = ToolsReachableFrom(BuildTargets.All.Single(t => t.Name == "Nutshell").Run.Method).Select(t => t.Tool.Name).ToHashSet();
        foreach (var tool in new[] { "mmdebstrap", "tar", "chroot", "openssl", "mke2fs", "mkswap", "grub-mkimage", "setpriv", "unshare", "setsid", "git" })
            Assert.Contains(tool, nutshell);
        var bootTest = ToolsReachableFrom(BuildTargets.All.Single(t => t.Name == "NutshellTest").Run.Method).Select(t => t.Tool.Name).ToHashSet();
        Assert.Equal(["curl", "openssl", "qemu-img", "qemu-system-x86_64", "setpriv", "setsid", "ssh", "sshpass", "unshare"], bootTest.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CommandsAreBuiltOnlyFromDeclarations()
    {
        // Everything else names a tool in a string the declarations would never see.
        var allowed = new[]
        {
            typeof(HostTool).GetMethod(nameof(HostTool.Command))!,
            typeof(ConPaaS.Build.Targets.ToolsTarget).GetMethod(nameof(ConPaaS.Build.Targets.ToolsTarget.Published))!,
        };
        var offenders = new List<string>();
        foreach (var method in Ours.SelectMany(AllMethods))
        {
            if (allowed.Contains(method)) continue;
            foreach (var (_, member) in Instructions(method))
            {
                var namesATool = member switch
                {
                    ConstructorInfo constructor when constructor.DeclaringType == typeof(Command) => true,
                    MethodInfo { Name: "set_Tool" } setter when setter.DeclaringType == typeof(Command) => true, // with { Tool = ... }
                    ConstructorInfo starter when starter.DeclaringType == typeof(System.Diagnostics.ProcessStartInfo) => !LoadsDeclaration(method),
                    _ => false,
                };
                if (namesATool) offenders.Add($"{method.DeclaringType?.FullName}.{method.Name}");
            }
        }
        Assert.True(offenders.Count == 0, "commands built from a tool name instead of a HostTool declaration in: " + string.Join(", ", offenders));
    }

    [Fact]
    public void EveryDeclarationIsListedBySomeTarget()
    {
        // The version check's tools are every plan's: the build host runs them before any target (HostTool.MissingAsync).
        var listed = BuildTargets.All.SelectMany(t => t.Tools).Concat(HostTool.VersionCheckTools).Select(t => t.Name).ToHashSet();
        var fields = Ours.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(HostTool))
            .Select(f => (HostTool)f.GetValue(null)!);
        Assert.All(fields, tool => Assert.Contains(tool.Name, listed));
    }

    /// <summary>Every tool a method can run, with the method that names it, following calls within our assemblies.</summary>
    private static List<(HostTool Tool, string Via)> ToolsReachableFrom(MethodBase start)
    {
        var found = new List<(HostTool, string)>();
        var seen = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>([start]);
        while (pending.Count > 0)
        {
            var method = pending.Pop();
            if (!seen.Add(method)) continue;
            if (method.GetCustomAttribute<StateMachineAttribute>() is { } machine)
                pending.Push(machine.StateMachineType.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!);
            foreach (var (_, member) in Instructions(method))
            {
                switch (member)
                {
                    case FieldInfo field when field.IsStatic && field.FieldType == typeof(HostTool):
                        found.Add(((HostTool)field.GetValue(null)!, $"{method.DeclaringType?.FullName}.{method.Name}"));
                        break;
                    case MethodBase { DeclaringType: { } type } called when ProcessesRuns.TryGetValue((type, called.Name), out var tools):
                        found.AddRange(tools.Select(t => (t, $"{method.DeclaringType?.FullName}.{method.Name} -> {called.Name}")));
                        break;
                    case MethodBase called when Ours.Contains(called.Module.Assembly):
                        pending.Push(Definition(called));
                        break;
                }
            }
        }
        return found;
    }

    private static bool LoadsDeclaration(MethodBase method) =>
        Instructions(method).Any(i => i.Member is FieldInfo { IsStatic: true } field && field.FieldType == typeof(HostTool));

    private static MethodBase Definition(MethodBase method) => method switch
    {
        MethodInfo { IsGenericMethod: true } generic when !generic.IsGenericMethodDefinition => generic.GetGenericMethodDefinition(),
        _ => method,
    };

    private static IEnumerable<MethodBase> AllMethods(Assembly assembly) =>
        assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Cast<MethodBase>()
            .Concat(t.GetConstructors(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)));

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The instructions of a method body that refer to a field or a method, with what they refer to.</summary>
    private static IEnumerable<(OpCode OpCode, MemberInfo? Member)> Instructions(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        for (var position = 0; position < il.Length;)
        {
            short value = il[position++];
            if (value == 0xFE) value = (short)(0xFE00 | il[position++]);
            var opcode = OpCodesByValue[value];
            var operand = opcode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
                _ => 4,
            };
            MemberInfo? member = null;
            if (opcode.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                try
                {
                    member = method.Module.ResolveMember(BitConverter.ToInt32(il, position), typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // A token this module cannot resolve in this context refers to nothing of ours.
                }
            }
            position += operand;
            if (member is not null) yield return (opcode, member);
        }
    }
}
