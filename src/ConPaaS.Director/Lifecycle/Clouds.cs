namespace ConPaaS.Director.Lifecycle;

/// <summary>The one check of a cloud a caller names: one of the configured clouds, "default" when none is named.</summary>
public static class Clouds
{
    public static string Check(DirectorSettings settings, string? cloud) =>
        (cloud ?? "default") is var named && settings.Clouds.Contains(named)
            ? named
            : throw RefusedException.Invalid($"unknown cloud '{Common.Text.Shorten(named)}'; available: {string.Join(", ", settings.Clouds)}");
}
