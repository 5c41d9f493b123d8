using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;

namespace ConPaaS.Director.Admin;

/// <summary>cpsdirector adduser: the administrator's way to add users (cpsadduser.py). Asks for what is missing.</summary>
public static class AddUser
{
    public static int Run(DirectorSettings settings, string? username, string? email, string? password, int? credit)
    {
        var database = new Database(settings.DatabasePath);
        database.Migrate();
        username ??= Ask("Username: ");
        email ??= Ask("E-mail: ");
        password ??= AskSecret();
        var user = new Accounts(new Users(database), settings).Register(username, password, email, "", "", "", credit ?? settings.MaxCredit);
        Console.WriteLine($"User '{user.Username}' created with id {user.Uid} and {user.Credit} credits.");
        return 0;
    }

    private static string Ask(string prompt)
    {
        if (Console.IsInputRedirected) throw new InvalidDataException($"'{prompt.TrimEnd(' ', ':')}' is missing; give it as an option");
        Console.Write(prompt);
        return Console.ReadLine()?.Trim() ?? "";
    }

    private static string AskSecret()
    {
        if (Console.IsInputRedirected) throw new InvalidDataException("the password is missing; give --password");
        Console.Write("Password: ");
        var password = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (password.Length > 0) password.Length--; }
            else password.Append(key.KeyChar);
        }
        Console.WriteLine();
        return password.ToString();
    }
}
