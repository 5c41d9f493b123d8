using System.Collections.Immutable;
using System.Text;

namespace ConPaaS.Processes;

/// <summary>
/// An external command described immutably: the tool, its argument list (never a shell string), the working
/// directory and extra environment. Build one, then derive variants with <c>with</c> or <see cref="WithArguments"/>.
/// </summary>
public sealed record Command
{
    public Command(string tool, params IEnumerable<string> arguments)
    {
        Tool = tool;
        Arguments = [.. arguments];
    }

    public string Tool { get; init; }

    public ImmutableArray<string> Arguments { get; init; }

    /// <summary>The tool a user would recognise, when <see cref="Tool"/> is only a wrapper around it.</summary>
    public string DisplayName => _displayName ?? System.IO.Path.GetFileName(Tool);

    private string? _displayName;

    public string? WorkingDirectory { get; init; }

    public ImmutableDictionary<string, string?> Environment { get; init; } = ImmutableDictionary<string, string?>.Empty;

    /// <summary>Bytes written to the child's standard input, then closed; null leaves stdin empty.</summary>
    public byte[]? StandardInput { get; init; }

    /// <summary>A file streamed to the child's standard input, then closed: for inputs too large to hold in memory
    /// (a container image of hundreds of MB). Not together with <see cref="StandardInput"/>.</summary>
    public string? StandardInputFile { get; init; }

    public Command WithArguments(params string[] more) => this with { Arguments = Arguments.AddRange(more) };

    public Command WithEnvironment(string name, string? value) => this with { Environment = Environment.SetItem(name, value) };

    /// <summary>
    /// The same command, run so that it and everything it starts die with the caller, even when the caller is
    /// killed with SIGKILL: setpriv gives it a parent-death signal, and (as root) unshare puts it in a new PID
    /// namespace whose init is killed when unshare dies, taking the whole tree along.
    /// </summary>
    public Command Contained()
    {
        string[] namespaced = IsRoot ? ["unshare", "--pid", "--fork", "--kill-child=SIGKILL", "--"] : [];
        return WrappedIn("setpriv", ["--pdeathsig", "KILL", "--", .. namespaced]);
    }

    /// <summary>
    /// The same command run by a wrapper (<c>wrapper prefix... tool arguments...</c>), keeping its environment, working
    /// directory and standard input, and its name in messages.
    /// </summary>
    public Command WrappedIn(string wrapper, params IEnumerable<string> prefix) => this with
    {
        Tool = wrapper,
        Arguments = [.. prefix, Tool, .. Arguments],
        _displayName = DisplayName,
    };

    private static bool IsRoot => System.Environment.UserName == "root";

    /// <summary>The command line as a POSIX shell would need it quoted, for messages and logs only.</summary>
    public override string ToString()
    {
        var line = new StringBuilder(QuoteForShell(Tool));
        foreach (var argument in Arguments) line.Append(' ').Append(QuoteForShell(argument));
        return line.ToString();
    }

    /// <summary>One word as a POSIX shell reads it back unchanged, whatever it holds.</summary>
    public static string QuoteForShell(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''") + "'";
}
