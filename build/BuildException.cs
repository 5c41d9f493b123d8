namespace ConPaaS.Build;

/// <summary>A failure the user can act on: printed as one line without a stack trace.</summary>
internal sealed class BuildException(string message) : Exception(message);
