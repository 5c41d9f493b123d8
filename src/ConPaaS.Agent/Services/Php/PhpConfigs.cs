using ConPaaS.Agent.Services.Web;

namespace ConPaaS.Agent.Services.Php;

/// <summary>php's own files: the backend's nginx server block handing PHP to php-fpm (each backend finds the code at
/// its own path), and php-fpm's pool, keeping sessions in the shared memcached.</summary>
public static class PhpConfigs
{
    /// <summary>php-fpm's files beside the web layout's.</summary>
    public sealed class PhpPaths(WebLayout layout)
    {
        public WebLayout Layout => layout;
        public string PhpFpmConfig => Path.Combine(layout.Home, "php-fpm.conf");
        public string PhpFpmPid => Path.Combine(layout.Run, "php-fpm.pid");
        public string PhpFpmSocket => Path.Combine(layout.Run, "php-fpm.sock");
    }

    public static string BackendServer(PhpPaths paths, string ip) => $$"""
                    server {
                        listen {{ip}}:{{WebLayout.Port(WebLayout.BackendPort)}};
                        root {{paths.Layout.Current}};
                        index index.php index.html;
                        location ~ [^/]\.php(/|$) {
                            fastcgi_split_path_info ^(.+?\.php)(/.*)$;
                            try_files $fastcgi_script_name =404;
                            include /etc/nginx/fastcgi_params;
                            # The link's target, resolved per request: a request that began on one version ends on it.
                            fastcgi_param SCRIPT_FILENAME $realpath_root$fastcgi_script_name;
                            fastcgi_param DOCUMENT_ROOT $realpath_root;
                            fastcgi_param PATH_INFO $fastcgi_path_info;
                            fastcgi_pass unix:{{paths.PhpFpmSocket}};
                        }
                    }

                """;

    public static string PhpFpm(PhpPaths paths, string sessions, bool debug) => $$"""
        ; Written by cpsagent (php): one pool, sessions in the service's memcached.
        [global]
        pid = {{paths.PhpFpmPid}}
        error_log = {{paths.Layout.Logs}}/php-fpm.log
        daemonize = no

        [conpaas]
        {{(Environment.IsPrivilegedProcess ? "user = www-data\ngroup = www-data\nlisten.owner = www-data\nlisten.group = www-data" : "")}}
        listen = {{paths.PhpFpmSocket}}
        pm = dynamic
        pm.max_children = 16
        pm.start_servers = 2
        pm.min_spare_servers = 1
        pm.max_spare_servers = 4
        catch_workers_output = yes
        php_admin_value[error_log] = {{paths.Layout.Logs}}/php-errors.log
        php_admin_value[session.save_handler] = memcached
        php_admin_value[session.save_path] = "{{sessions}}:{{WebLayout.Port(WebLayout.SessionsPort)}}"
        php_flag[display_errors] = {{(debug ? "on" : "off")}}
        php_admin_value[error_reporting] = {{(debug ? "E_ALL" : "E_ALL & ~E_DEPRECATED & ~E_STRICT")}}

        """;
}
