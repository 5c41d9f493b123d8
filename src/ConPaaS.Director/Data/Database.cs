using Dapper;
using Microsoft.Data.Sqlite;

namespace ConPaaS.Director.Data;

/// <summary>
/// The director's SQLite file. Every connection runs in WAL mode with synchronous=FULL, so a transaction that
/// committed (and was acknowledged to a client) survives the process being killed; writers wait for each other
/// (busy timeout) instead of failing.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;

    private long _generation;

    public string Path { get; }

    /// <summary>
    /// Bumped after every committed write. This process is the database's only writer, so a value read from the
    /// database together with the generation current *before* the read stays true while the generation is unchanged
    /// (the read caches rely on it).
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    public Database(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    /// <summary>Creates the file if needed and brings its schema up to date.</summary>
    public void Migrate()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using var connection = Open();
        connection.Execute("PRAGMA journal_mode=WAL");
        Migrations.Apply(connection);
    }

    /// <summary>A connection for writing: foreign keys enforced, FULL sync, and waiting for the write lock.</summary>
    public SqliteConnection Open()
    {
        var connection = OpenForReading();
        connection.Execute("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000");
        return connection;
    }

    /// <summary>A connection for reading: WAL readers never wait for writers, so no settings are needed (and
    /// listapp, the busiest call, skips three statements per request).</summary>
    private SqliteConnection OpenForReading()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction (the write lock is taken up front, so two
    /// writers never deadlock upgrading read locks) and commits it.</summary>
    public T Write<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = work(connection, transaction);
        transaction.Commit();
        Interlocked.Increment(ref _generation);
        return result;
    }

    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = OpenForReading();
        return work(connection);
    }
}
