using System.CommandLine;

namespace ConPaaS.Tools.Commands;

/// <summary>
/// cps-tools completion bash|zsh: a script to source that asks cps-tools itself for completions through
/// System.CommandLine's [suggest] directive, so completions always match this binary's command tree.
/// </summary>
public static class CompletionCommand
{
    public static Command Build()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print a shell completion script (eval \"$(cps-tools completion bash)\")") { shell };
        command.SetAction(result =>
        {
            var script = """
                _cps_tools_complete() {
                    local words="${COMP_LINE:0:$COMP_POINT}"
                    local IFS=$'\n'
                    COMPREPLY=($(cps-tools "[suggest:${#words}]" "$COMP_LINE" 2>/dev/null))
                }
                complete -o default -F _cps_tools_complete cps-tools
                """;
            if (result.GetValue(shell) == "zsh") script = "autoload -U +X bashcompinit && bashcompinit\n" + script;
            Console.WriteLine(script);
        });
        return command;
    }
}
