namespace ConPaaS.Director.Lifecycle;

/// <summary>Why the director refuses something, independent of HTTP; Api/ErrorHandling turns each into a status.</summary>
public enum Refusal
{
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    Unavailable,
    UpstreamFailed,
}

/// <summary>A request the director refuses: the kind and the message clients see as <c>{"error": ...}</c>.</summary>
public sealed class RefusedException(Refusal kind, string message) : Exception(message)
{
    public Refusal Kind => kind;

    public static RefusedException Invalid(string message) => new(Refusal.Invalid, message);
    public static RefusedException Unauthenticated(string message) => new(Refusal.Unauthenticated, message);
    public static RefusedException Forbidden(string message) => new(Refusal.Forbidden, message);
    public static RefusedException NotFound(string message) => new(Refusal.NotFound, message);
    public static RefusedException Conflict(string message) => new(Refusal.Conflict, message);
}
