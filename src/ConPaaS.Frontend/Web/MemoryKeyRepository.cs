using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace ConPaaS.Frontend.Web;

/// <summary>
/// Keeps ASP.NET's data-protection keys (they protect the anti-forgery tokens and notices) in memory only: nothing the
/// frontend holds goes to disk, and a restart ends every session anyway (the certificates they held are gone).
/// </summary>
public sealed class MemoryKeyRepository : IXmlRepository
{
    private readonly ConcurrentQueue<XElement> _elements = new();

    public IReadOnlyCollection<XElement> GetAllElements() => [.. _elements.Select(e => new XElement(e))];

    public void StoreElement(XElement element, string friendlyName) => _elements.Enqueue(new XElement(element));
}
