using System.Text;

namespace ConPaaS.Agent.Services.Php;

/// <summary>
/// The servers' configuration files for one agent's roles. One nginx serves every role the agent holds: the proxy
/// sends static files to the web servers and everything else to the backends (each backend's own nginx hands PHP to
/// its php-fpm, so each finds the code at its own path); php-fpm keeps sessions in the shared memcached.
/// </summary>
public static class PhpConfigs
{
    /// <summary>What the proxy sends to web servers; the rest goes to backends.</summary>
    private const string StaticFiles = @"\.(css|js|png|jpe?g|gif|ico|svg|webp|woff2?|ttf|otf|txt|html?|xml|pdf|zip|gz|mp3|mp4)$";

    public static string Nginx(PhpLayout layout, string ip, IReadOnlyCollection<string> roles, IReadOnlyList<string> backends, IReadOnlyList<string> webs)
    {
        var text = new StringBuilder($$"""
            # Written by cpsagent (php) for roles {{string.Join(",", roles)}}; rewritten at every change of the service.
            {{(Environment.IsPrivilegedProcess ? "user www-data;" : "")}}
            worker_processes 2;
            pid {{layout.NginxPid}};
            error_log {{layout.Logs}}/nginx-error.log;
            events { worker_connections 1024; }
            http {
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                access_log {{layout.Logs}}/nginx-access.log;
                client_body_temp_path {{layout.Temporary}}/body;
                proxy_temp_path {{layout.Temporary}}/proxy;
                fastcgi_temp_path {{layout.Temporary}}/fastcgi;
                uwsgi_temp_path {{layout.Temporary}}/uwsgi;
                scgi_temp_path {{layout.Temporary}}/scgi;
                client_max_body_size 64m;
                sendfile on;
                keepalive_timeout 30;

            """);
        // When this agent is the only web server, the proxy serves static files itself: the same files, one nginx
        // pass instead of two on the same machine.
        var staticHere = roles.Contains("web") && webs.Count == 1 && webs[0] == ip;
        var staticFiles = staticHere ? $"root {layout.Current};" : "proxy_pass http://php_webs;";
        if (roles.Contains("proxy"))
            text.Append($$"""
                    upstream php_backends { {{Servers(backends, PhpLayout.BackendPort)}} keepalive 16; }
                    upstream php_webs { {{Servers(webs, PhpLayout.WebPort)}} keepalive 16; }
                    server {
                        listen {{ip}}:{{PhpLayout.Port(PhpLayout.ProxyPort)}} default_server;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_next_upstream error timeout http_502 http_503;
                        location ~* {{StaticFiles}} { {{staticFiles}} }
                        location / { proxy_pass http://php_backends; }
                    }

                """);
        if (roles.Contains("web"))
            text.Append($$"""
                    server {
                        listen {{ip}}:{{PhpLayout.Port(PhpLayout.WebPort)}};
                        root {{layout.Current}};
                        location ~ \.php$ { return 403; }
                    }

                """);
        if (roles.Contains("backend"))
            text.Append($$"""
                    server {
                        listen {{ip}}:{{PhpLayout.Port(PhpLayout.BackendPort)}};
                        root {{layout.Current}};
                        index index.php index.html;
                        location ~ [^/]\.php(/|$) {
                            fastcgi_split_path_info ^(.+?\.php)(/.*)$;
                            try_files $fastcgi_script_name =404;
                            include /etc/nginx/fastcgi_params;
                            # The link's target, resolved per request: a request that began on one version ends on it.
                            fastcgi_param SCRIPT_FILENAME $realpath_root$fastcgi_script_name;
                            fastcgi_param DOCUMENT_ROOT $realpath_root;
                            fastcgi_param PATH_INFO $fastcgi_path_info;
                            fastcgi_pass unix:{{layout.PhpFpmSocket}};
                        }
                    }

                """);
        return text.Append("}\n").ToString();
    }

    public static string PhpFpm(PhpLayout layout, string sessions, bool debug) => $$"""
        ; Written by cpsagent (php): one pool, sessions in the service's memcached.
        [global]
        pid = {{layout.PhpFpmPid}}
        error_log = {{layout.Logs}}/php-fpm.log
        daemonize = no

        [conpaas]
        {{(Environment.IsPrivilegedProcess ? "user = www-data\ngroup = www-data\nlisten.owner = www-data\nlisten.group = www-data" : "")}}
        listen = {{layout.PhpFpmSocket}}
        pm = dynamic
        pm.max_children = 16
        pm.start_servers = 2
        pm.min_spare_servers = 1
        pm.max_spare_servers = 4
        catch_workers_output = yes
        php_admin_value[error_log] = {{layout.Logs}}/php-errors.log
        php_admin_value[session.save_handler] = memcached
        php_admin_value[session.save_path] = "{{sessions}}:{{PhpLayout.Port(PhpLayout.SessionsPort)}}"
        php_flag[display_errors] = {{(debug ? "on" : "off")}}
        php_admin_value[error_reporting] = {{(debug ? "E_ALL" : "E_ALL & ~E_DEPRECATED & ~E_STRICT")}}

        """;

    private static string Servers(IReadOnlyList<string> addresses, int port) =>
        string.Concat(addresses.Select(a => $"server {a}:{PhpLayout.Port(port)};"));
}
