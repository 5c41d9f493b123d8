using System.Runtime.CompilerServices;
using ConPaaS.Manager.Services.Web;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager.Services.Java;

/// <summary>
/// java: a web service whose backends run Tomcat. A code version is a .war (or an archive of an unpacked web
/// application); each agent deploys a new one beside the served one and switches when it has started.
/// </summary>
public sealed class JavaManager(ServiceContext context) : WebManager(ServiceTypes.Java, context, DefaultCode)
{
    [ModuleInitializer]
    internal static void Register() => ServiceManagers.Register(ServiceTypes.Java, c => new JavaManager(c));

    /// <summary>What a new java service serves before any upload: one JSP.</summary>
    private static readonly IReadOnlyDictionary<string, string> DefaultCode = new Dictionary<string, string>
    {
        ["index.jsp"] = """
            <%@ page contentType="text/html; charset=UTF-8" session="false" %>
            <!DOCTYPE html><title>ConPaaS Java</title><h1>Welcome to ConPaaS</h1>
            <p>This Java service is running. Upload your application as a .war and enable it.</p>
            <p>Served by the backend at <%= request.getLocalAddr() %>, <%= application.getServerInfo() %>.</p>

            """,
    };
}
