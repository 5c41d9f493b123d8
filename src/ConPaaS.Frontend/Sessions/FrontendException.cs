namespace ConPaaS.Frontend.Sessions;

/// <summary>Something the user is told in words on the page they were on: a refusal from the director or a manager, or an unreachable one.</summary>
public sealed class FrontendException(string message) : Exception(message);
