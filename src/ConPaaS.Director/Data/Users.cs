using ConPaaS.Platform.Security;
using Dapper;

namespace ConPaaS.Director.Data;

/// <summary>The users table: creation with a slow password hash, lookup, and credentials checks.</summary>
public sealed class Users(Database database)
{
    private const string Columns = "uid, username, fname, lname, email, affiliation, password, created, credit";

    /// <summary>The new user, or null when the name is taken.</summary>
    public User? Create(string username, string password, string email, string fname, string lname, string affiliation, long credit) =>
        database.Write((connection, transaction) =>
        {
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE username = @username", new { username }, transaction) > 0)
                return null;
            return connection.QuerySingle<User>(
                $"INSERT INTO users (username, fname, lname, email, affiliation, password, created, credit) VALUES (@username, @fname, @lname, @email, @affiliation, @hash, @created, @credit) RETURNING {Columns}",
                new { username, fname, lname, email, affiliation, hash = PasswordHasher.Hash(password), created = DateTimeOffset.UtcNow.ToString("O"), credit },
                transaction);
        });

    public User? Find(long uid) => database.Read(connection =>
        connection.QuerySingleOrDefault<User>($"SELECT {Columns} FROM users WHERE uid = @uid", new { uid }));

    public User? FindByName(string username) => database.Read(connection =>
        connection.QuerySingleOrDefault<User>($"SELECT {Columns} FROM users WHERE username = @username", new { username }));

    /// <summary>The user if the password matches; the hash is computed even for unknown names, so timing tells nothing.</summary>
    public User? Authenticate(string username, string password)
    {
        var user = FindByName(username);
        var matches = PasswordHasher.Verify(password, user?.Password ?? Decoy);
        return user is not null && matches ? user : null;
    }

    public long AddCredit(long uid, long amount) => database.Write((connection, transaction) =>
        connection.QuerySingle<long>("UPDATE users SET credit = MAX(0, credit + @amount) WHERE uid = @uid RETURNING credit", new { amount, uid }, transaction));

    private static readonly string Decoy = PasswordHasher.Hash(Guid.NewGuid().ToString());
}
