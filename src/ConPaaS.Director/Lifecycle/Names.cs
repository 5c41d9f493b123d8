namespace ConPaaS.Director.Lifecycle;

/// <summary>The names users give things, checked by the platform's one rule and refused as invalid input.</summary>
public static class Names
{
    public static string Check(string field, string value) => Platform.Services.Names.Check(field, value, RefusedException.Invalid);
}
