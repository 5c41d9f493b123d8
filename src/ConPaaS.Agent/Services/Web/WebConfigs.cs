using System.Text;

namespace ConPaaS.Agent.Services.Web;

/// <summary>
/// The nginx of a web agent (php, java), serving every role the agent holds: the proxy sends static files to the web
/// servers and everything else to the backends; a web server serves the active version's files; a backend's own
/// server block, when the type needs one in nginx (php's FastCGI), comes from the type.
/// </summary>
public static class WebConfigs
{
    /// <summary>What the proxy sends to web servers; the rest goes to backends.</summary>
    private const string StaticFiles = @"\.(css|js|png|jpe?g|gif|ico|svg|webp|woff2?|ttf|otf|txt|html?|xml|pdf|zip|gz|mp3|mp4)$";

    /// <summary>A web application's own private directories (a .war's), never served as files.</summary>
    private const string Private = "location ~ ^/(WEB-INF|META-INF)(/|$) { return 404; }";

    public static string Nginx(WebLayout layout, string ip, IReadOnlyCollection<string> roles, IReadOnlyList<string> backends, IReadOnlyList<string> webs, string? backendServer)
    {
        var text = new StringBuilder($$"""
            # Written by cpsagent for roles {{string.Join(",", roles)}}; rewritten at every change of the service.
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
        var staticFiles = staticHere ? $"root {layout.Current};" : "proxy_pass http://webs;";
        if (roles.Contains("proxy"))
            text.Append($$"""
                    upstream backends { {{Servers(backends, WebLayout.BackendPort)}} keepalive 16; }
                    upstream webs { {{Servers(webs, WebLayout.WebPort)}} keepalive 16; }
                    server {
                        listen {{ip}}:{{WebLayout.Port(WebLayout.ProxyPort)}} default_server;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_next_upstream error timeout http_502 http_503;
                        {{Private}}
                        location ~* {{StaticFiles}} { {{staticFiles}} }
                        location / { proxy_pass http://backends; }
                    }

                """);
        if (roles.Contains("web"))
            text.Append($$"""
                    server {
                        listen {{ip}}:{{WebLayout.Port(WebLayout.WebPort)}};
                        root {{layout.Current}};
                        {{Private}}
                        location ~ \.php$ { return 403; }
                    }

                """);
        if (roles.Contains("backend") && backendServer is not null) text.Append(backendServer);
        return text.Append("}\n").ToString();
    }

    private static string Servers(IReadOnlyList<string> addresses, int port) =>
        string.Concat(addresses.Select(a => $"server {a}:{WebLayout.Port(port)};"));
}
