namespace ConPaaS.Tools;

/// <summary>A failure shown to the user as <c>ERROR: message</c> on stderr, exit code 1.</summary>
public sealed class CliException(string message) : Exception(message);
