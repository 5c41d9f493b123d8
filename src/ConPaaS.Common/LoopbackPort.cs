using System.Net;
using System.Net.Sockets;

namespace ConPaaS.Common;

public static class LoopbackPort
{
    /// <summary><paramref name="preferred"/> when nothing listens on it at 127.0.0.1, another free port otherwise.</summary>
    public static int Preferring(int preferred)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, preferred);
            listener.Start();
            return preferred;
        }
        catch (SocketException)
        {
            return FindFree();
        }
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice), for tests and QEMU forwards.</summary>
    public static int FindFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
