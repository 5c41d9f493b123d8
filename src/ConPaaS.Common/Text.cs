namespace ConPaaS.Common;

public static class Text
{
    /// <summary>Cuts a caller's input down for an error message, so a megabyte of junk never lands in one.</summary>
    public static string Shorten(string text, int max = 40) => text.Length > max ? text[..max] + "..." : text;
}
