using Dapper;
using Microsoft.Data.Sqlite;

namespace ConPaaS.Director.Data;

/// <summary>
/// The schema as numbered steps; PRAGMA user_version records how many have run. A new step is appended, never
/// edited, and each runs in its own transaction with the version bump.
/// </summary>
internal static class Migrations
{
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE users (
            uid INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT NOT NULL UNIQUE,
            fname TEXT NOT NULL DEFAULT '',
            lname TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            affiliation TEXT NOT NULL DEFAULT '',
            password TEXT NOT NULL,
            created TEXT NOT NULL,
            credit INTEGER NOT NULL CHECK (credit >= 0));
        CREATE TABLE applications (
            aid INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            uid INTEGER NOT NULL REFERENCES users(uid),
            status TEXT NOT NULL,
            manager TEXT,
            manager_port INTEGER,
            vmid TEXT,
            cloud TEXT,
            created TEXT NOT NULL,
            manifest TEXT);
        CREATE INDEX applications_uid ON applications(uid);
        CREATE TABLE services (
            application_id INTEGER NOT NULL REFERENCES applications(aid) ON DELETE CASCADE,
            sid INTEGER NOT NULL,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            state TEXT NOT NULL,
            cloud TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (application_id, sid));
        CREATE TABLE resources (
            rid INTEGER PRIMARY KEY AUTOINCREMENT,
            vmid TEXT NOT NULL UNIQUE,
            app_id INTEGER NOT NULL REFERENCES applications(aid) ON DELETE CASCADE,
            service_id INTEGER NOT NULL,
            ip TEXT NOT NULL,
            port INTEGER NOT NULL,
            role TEXT NOT NULL,
            cloud TEXT NOT NULL,
            created TEXT NOT NULL,
            charged INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX resources_app ON resources(app_id);
        """,
        """
        CREATE TABLE volumes (
            vid INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            app_id INTEGER NOT NULL REFERENCES applications(aid) ON DELETE CASCADE,
            size_mb INTEGER NOT NULL,
            cloud TEXT NOT NULL,
            vmid TEXT,
            created TEXT NOT NULL,
            UNIQUE (app_id, name));
        """,
    ];

    public static int Latest => Steps.Length;

    public static void Apply(SqliteConnection connection)
    {
        var version = connection.ExecuteScalar<int>("PRAGMA user_version");
        if (version > Steps.Length)
            throw new InvalidDataException($"the database schema is version {version}, newer than this director ({Steps.Length}); use a newer cpsdirector");
        for (var step = version; step < Steps.Length; step++)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            connection.Execute(Steps[step], transaction: transaction);
            connection.Execute($"PRAGMA user_version = {step + 1}", transaction: transaction);
            transaction.Commit();
        }
    }
}
