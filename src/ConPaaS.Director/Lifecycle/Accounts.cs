using ConPaaS.Director.Data;

namespace ConPaaS.Director.Lifecycle;

/// <summary>Users' accounts: registration with the checks /new_user and cpsdirector adduser share, and login.</summary>
public sealed class Accounts(Users users, DirectorSettings settings)
{
    public User Register(string username, string password, string email, string fname, string lname, string affiliation, long credit)
    {
        if (username.Length is 0 or > 64 || !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@'))
            throw RefusedException.Invalid("'username' must be 1 to 64 letters, digits, '_', '-', '.' or '@'");
        if (password.Length < 8 || password.Length > 1024)
            throw RefusedException.Invalid("'password' must be 8 to 1024 characters");
        foreach (var (name, value) in new[] { ("email", email), ("fname", fname), ("lname", lname), ("affiliation", affiliation) })
            if (value.Length > 0) Names.Check(name, value);
        return users.Create(username, password, email, fname, lname, affiliation, Math.Min(credit, settings.MaxCredit))
               ?? throw RefusedException.Conflict($"user '{username}' already exists");
    }

    public User Authenticate(string username, string password) =>
        users.Authenticate(username, password) ?? throw RefusedException.Unauthenticated("invalid username or password");

    public User Find(long uid) => users.Find(uid) ?? throw RefusedException.NotFound("user does not exist");

    /// <summary>Takes <paramref name="amount"/> credits (a manager's explicit charge); the credit left.</summary>
    public long Charge(long uid, int amount)
    {
        var credit = Find(uid).Credit;
        if (amount == 0) return credit;
        if (credit < amount) throw RefusedException.Forbidden($"the user has {credit} credits, fewer than {amount}");
        return users.AddCredit(uid, -amount);
    }

    /// <summary>Registration is open only when [director] OPEN_REGISTRATION is true (the sandbox sets it).</summary>
    public bool RegistrationOpen => settings.OpenRegistration;
}
