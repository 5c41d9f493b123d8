using System.Globalization;

namespace ConPaaS.Agent.Services.Mysql;

/// <summary>
/// Where a mysql agent keeps its servers' files (below the agent's root) and what they are told: MariaDB with
/// Galera bound to the agent's own address (3306 for clients, 4567 replication, 4568 incremental and 4444 full state
/// transfer by rsync), and HAProxy, the load balancer of a <c>glb</c> agent, on 3306 too.
/// </summary>
public sealed class MysqlConfigs(AgentFiles files)
{
    public const int Port = 3306;

    public string Home { get; } = Path.Combine(files.Root, "var", "lib", "cpsagent", "mysql");
    public string Data => Path.Combine(Home, "data");
    public string Run => Path.Combine(Home, "run");
    public string Socket => Path.Combine(Run, "mysqld.sock");
    public string Logs => files.LogDirectory;
    public string MariadbConfig => Path.Combine(Home, "my.cnf");
    public string HaproxyConfig => Path.Combine(Home, "haproxy.cfg");

    /// <summary>One Galera node of the service's cluster (<paramref name="cluster"/>: every node's address, this one's too).</summary>
    public string Mariadb(string ip, IReadOnlyList<string> cluster, string clusterName) => $"""
        # Written by cpsagent (mysql).
        [mariadbd]
        datadir = {Data}
        socket = {Socket}
        pid-file = {Run}/mariadbd.pid
        log-error = {Logs}/mariadb.err
        bind-address = {ip}
        port = {Port}
        skip-name-resolve
        # What Galera needs.
        binlog_format = ROW
        default_storage_engine = InnoDB
        innodb_autoinc_lock_mode = 2
        innodb_buffer_pool_size = 64M
        innodb_log_file_size = 32M
        wsrep_on = ON
        wsrep_provider = /usr/lib/galera/libgalera_smm.so
        wsrep_cluster_name = {clusterName}
        wsrep_cluster_address = gcomm://{string.Join(',', cluster)}
        wsrep_node_address = {ip}
        wsrep_provider_options = "gmcast.listen_addr=tcp://{ip}:4567;ist.recv_addr={ip}:4568;gcache.size=64M"
        wsrep_sst_method = rsync
        wsrep_sst_receive_address = {ip}:4444

        """;

    /// <summary>The glb: TCP, each client to the node with the fewest connections; a node that fails two checks is
    /// left out until it answers again.</summary>
    public string Haproxy(string ip, IReadOnlyList<string> nodes) => $"""
        # Written by cpsagent (mysql, glb).
        global
            maxconn 4096
            {(Environment.IsPrivilegedProcess ? "user nobody\n    group nogroup" : "")}
        defaults
            mode tcp
            timeout connect 5s
            timeout client 1h
            timeout server 1h
        listen mysql
            bind {ip}:{Port}
            balance leastconn
        {string.Concat(nodes.Select((n, i) => $"    server node{(i + 1).ToString(CultureInfo.InvariantCulture)} {n}:{Port} check inter 2s fall 2 rise 2\n"))}
        """;
}
