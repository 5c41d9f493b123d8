using System.Globalization;
using System.Text;
using System.Xml;
using ConPaaS.Imaging.Common;

namespace ConPaaS.Imaging.Ova;

/// <summary>
/// Writes the OVF 1.0 envelope VirtualBox, VMware and ESXi import: references, disks, networks, the virtual
/// hardware as CIM items, and VirtualBox's own optional machine section, the only place a host-only adapter can
/// name its interface (vboxnet0).
/// </summary>
public static class OvfDescriptor
{
    public const string OvfNs = "http://schemas.dmtf.org/ovf/envelope/1";
    public const string RasdNs = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    public const string VssdNs = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
    public const string VboxNs = "http://www.virtualbox.org/ovf/machine";
    public const string StreamOptimized = "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized";

    private const int CimDebian64 = 96, CimOther64 = 102;

    public static string Create(VmHardware vm, IReadOnlyList<OvfDisk> disks)
    {
        var text = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false) };
        using (var xml = XmlWriter.Create(new StringWriterUtf8(text), settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("", "Envelope", OvfNs);
            xml.WriteAttributeString("ovf", "version", OvfNs, "1.0");
            xml.WriteAttributeString("xml", "lang", null, "en-US");
            xml.WriteAttributeString("xmlns", "ovf", null, OvfNs);
            xml.WriteAttributeString("xmlns", "rasd", null, RasdNs);
            xml.WriteAttributeString("xmlns", "vssd", null, VssdNs);
            xml.WriteAttributeString("xmlns", "xsi", null, "http://www.w3.org/2001/XMLSchema-instance");
            xml.WriteAttributeString("xmlns", "vbox", null, VboxNs);

            xml.WriteStartElement("", "References", OvfNs);
            for (var i = 0; i < disks.Count; i++)
            {
                xml.WriteStartElement("", "File", OvfNs);
                Attr(xml, "href", disks[i].FileName);
                Attr(xml, "id", $"file{i + 1}");
                Attr(xml, "size", disks[i].FileSize);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();

            xml.WriteStartElement("", "DiskSection", OvfNs);
            xml.WriteElementString("", "Info", OvfNs, "List of the virtual disks used in the package");
            for (var i = 0; i < disks.Count; i++)
            {
                xml.WriteStartElement("", "Disk", OvfNs);
                Attr(xml, "capacity", disks[i].Capacity);
                Attr(xml, "diskId", $"vmdisk{i + 1}");
                Attr(xml, "fileRef", $"file{i + 1}");
                Attr(xml, "format", StreamOptimized);
                xml.WriteAttributeString("uuid", VboxNs, disks[i].Uuid.ToString());
                xml.WriteEndElement();
            }
            xml.WriteEndElement();

            xml.WriteStartElement("", "NetworkSection", OvfNs);
            xml.WriteElementString("", "Info", OvfNs, "Logical networks used in the package");
            foreach (var network in vm.Nics.Select(n => ConnectionName(n.Attachment)).Distinct())
            {
                xml.WriteStartElement("", "Network", OvfNs);
                Attr(xml, "name", network);
                xml.WriteElementString("", "Description", OvfNs, $"Logical network used by this appliance ({network}).");
                xml.WriteEndElement();
            }
            xml.WriteEndElement();

            WriteVirtualSystem(xml, vm, disks);
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return text.Append('\n').ToString();
    }

    private static void WriteVirtualSystem(XmlWriter xml, VmHardware vm, IReadOnlyList<OvfDisk> disks)
    {
        xml.WriteStartElement("", "VirtualSystem", OvfNs);
        Attr(xml, "id", vm.Name);
        xml.WriteElementString("", "Info", OvfNs, "A virtual machine");

        xml.WriteStartElement("", "OperatingSystemSection", OvfNs);
        Attr(xml, "id", vm.OsType.StartsWith("Debian", StringComparison.Ordinal) ? CimDebian64 : CimOther64);
        xml.WriteElementString("", "Info", OvfNs, "The kind of installed guest operating system");
        xml.WriteElementString("", "Description", OvfNs, vm.OsType);
        xml.WriteStartElement("OSType", VboxNs);
        Attr(xml, "required", "false");
        xml.WriteString(vm.OsType);
        xml.WriteEndElement();
        xml.WriteEndElement();

        xml.WriteStartElement("", "VirtualHardwareSection", OvfNs);
        xml.WriteElementString("", "Info", OvfNs, "Virtual hardware requirements for a virtual machine");
        xml.WriteStartElement("", "System", OvfNs);
        xml.WriteElementString("ElementName", VssdNs, "Virtual Hardware Family");
        xml.WriteElementString("InstanceID", VssdNs, "0");
        xml.WriteElementString("VirtualSystemIdentifier", VssdNs, vm.Name);
        xml.WriteElementString("VirtualSystemType", VssdNs, "virtualbox-2.2");
        xml.WriteEndElement();

        var id = 1;
        // RASD elements appear in the schema's alphabetical order.
        Item(xml, ("Caption", $"{vm.Cpus} virtual CPU"), ("Description", "Number of virtual CPUs"), ("ElementName", $"{vm.Cpus} virtual CPU"),
            ("InstanceID", $"{id++}"), ("ResourceType", "3"), ("VirtualQuantity", $"{vm.Cpus}"));
        Item(xml, ("AllocationUnits", "MegaBytes"), ("Caption", $"{vm.MemoryMb} MB of memory"), ("Description", "Memory Size"),
            ("ElementName", $"{vm.MemoryMb} MB of memory"), ("InstanceID", $"{id++}"), ("ResourceType", "4"), ("VirtualQuantity", $"{vm.MemoryMb}"));
        var controllerId = id++;
        if (vm.DiskController == DiskController.Sata)
            Item(xml, ("Address", "0"), ("Caption", "sataController0"), ("Description", "SATA Controller"), ("ElementName", "sataController0"),
                ("InstanceID", $"{controllerId}"), ("ResourceSubType", "AHCI"), ("ResourceType", "20"));
        else
            Item(xml, ("Address", "0"), ("Caption", "ideController0"), ("Description", "IDE Controller"), ("ElementName", "ideController0"),
                ("InstanceID", $"{controllerId}"), ("ResourceSubType", "PIIX4"), ("ResourceType", "5"));
        foreach (var nic in vm.Nics)
        {
            var caption = $"Ethernet adapter on '{ConnectionName(nic.Attachment)}'";
            Item(xml, ("AutomaticAllocation", "true"), ("Caption", caption), ("Connection", ConnectionName(nic.Attachment)), ("ElementName", caption),
                ("InstanceID", $"{id++}"), ("ResourceSubType", nic.Adapter == NicAdapter.Virtio ? "virtio" : "E1000"), ("ResourceType", "10"));
        }
        for (var i = 0; i < disks.Count; i++)
            Item(xml, ("AddressOnParent", $"{i}"), ("Caption", $"disk{i + 1}"), ("Description", "Disk Image"), ("ElementName", $"disk{i + 1}"),
                ("HostResource", $"/disk/vmdisk{i + 1}"), ("InstanceID", $"{id++}"), ("Parent", $"{controllerId}"), ("ResourceType", "17"));
        xml.WriteEndElement();

        WriteVirtualBoxMachine(xml, vm, disks);
        xml.WriteEndElement();
    }

    /// <summary>
    /// VirtualBox's settings for the machine: the adapters with their host networks and the disk attachments.
    /// Its children are unprefixed (the envelope's namespace), as VirtualBox's own exports write them.
    /// </summary>
    private static void WriteVirtualBoxMachine(XmlWriter xml, VmHardware vm, IReadOnlyList<OvfDisk> disks)
    {
        xml.WriteStartElement("vbox", "Machine", VboxNs);
        Attr(xml, "required", "false");
        xml.WriteAttributeString("version", "1.16-linux");
        xml.WriteAttributeString("uuid", $"{{{DeterministicId.Guid($"{vm.Name}/machine")}}}");
        xml.WriteAttributeString("name", vm.Name);
        xml.WriteAttributeString("OSType", vm.OsType);
        xml.WriteAttributeString("snapshotFolder", "Snapshots");
        xml.WriteStartElement("ovf", "Info", OvfNs);
        xml.WriteString("Complete VirtualBox machine configuration in VirtualBox format");
        xml.WriteEndElement();

        xml.WriteStartElement("", "MediaRegistry", OvfNs);
        xml.WriteStartElement("", "HardDisks", OvfNs);
        foreach (var disk in disks)
        {
            xml.WriteStartElement("", "HardDisk", OvfNs);
            xml.WriteAttributeString("uuid", $"{{{disk.Uuid}}}");
            xml.WriteAttributeString("location", disk.FileName);
            xml.WriteAttributeString("format", "VMDK");
            xml.WriteAttributeString("type", "Normal");
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();

        xml.WriteStartElement("", "Hardware", OvfNs);
        xml.WriteStartElement("", "CPU", OvfNs);
        xml.WriteAttributeString("count", $"{vm.Cpus}");
        xml.WriteStartElement("", "PAE", OvfNs);
        xml.WriteAttributeString("enabled", "true");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("", "Memory", OvfNs);
        xml.WriteAttributeString("RAMSize", $"{vm.MemoryMb}");
        xml.WriteEndElement();
        xml.WriteStartElement("", "Boot", OvfNs);
        xml.WriteStartElement("", "Order", OvfNs);
        xml.WriteAttributeString("position", "1");
        xml.WriteAttributeString("device", "HardDisk");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("", "Network", OvfNs);
        for (var slot = 0; slot < vm.Nics.Count; slot++)
        {
            var nic = vm.Nics[slot];
            xml.WriteStartElement("", "Adapter", OvfNs);
            xml.WriteAttributeString("slot", $"{slot}");
            xml.WriteAttributeString("enabled", "true");
            xml.WriteAttributeString("MACAddress", MacAddress($"{vm.Name}/nic{slot}"));
            xml.WriteAttributeString("cable", "true");
            xml.WriteAttributeString("type", nic.Adapter == NicAdapter.Virtio ? "virtio" : "82540EM");
            switch (nic.Attachment)
            {
                case NicAttachment.Nat:
                    xml.WriteElementString("", "NAT", OvfNs, "");
                    break;
                case NicAttachment.HostOnly:
                    NamedElement(xml, "HostOnlyInterface", nic.Network!);
                    break;
                case NicAttachment.Bridged:
                    NamedElement(xml, "BridgedInterface", nic.Network!);
                    break;
                case NicAttachment.Internal:
                    NamedElement(xml, "InternalNetwork", nic.Network!);
                    break;
            }
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();

        xml.WriteStartElement("", "StorageControllers", OvfNs);
        xml.WriteStartElement("", "StorageController", OvfNs);
        var sata = vm.DiskController == DiskController.Sata;
        xml.WriteAttributeString("name", sata ? "SATA" : "IDE");
        xml.WriteAttributeString("type", sata ? "AHCI" : "PIIX4");
        xml.WriteAttributeString("PortCount", $"{(sata ? Math.Max(1, disks.Count) : 2)}");
        xml.WriteAttributeString("useHostIOCache", sata ? "false" : "true");
        xml.WriteAttributeString("Bootable", "true");
        for (var i = 0; i < disks.Count; i++)
        {
            xml.WriteStartElement("", "AttachedDevice", OvfNs);
            xml.WriteAttributeString("type", "HardDisk");
            xml.WriteAttributeString("hotpluggable", "false");
            xml.WriteAttributeString("port", $"{(sata ? i : i / 2)}");
            xml.WriteAttributeString("device", $"{(sata ? 0 : i % 2)}");
            xml.WriteStartElement("", "Image", OvfNs);
            xml.WriteAttributeString("uuid", $"{{{disks[i].Uuid}}}");
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    public static string ConnectionName(NicAttachment attachment) => attachment switch
    {
        NicAttachment.Nat => "NAT",
        NicAttachment.HostOnly => "HostOnly",
        NicAttachment.Bridged => "Bridged",
        NicAttachment.Internal => "Internal",
        _ => throw new ArgumentOutOfRangeException(nameof(attachment)),
    };

    /// <summary>A MAC in VirtualBox's 08:00:27 range, fixed by the seed.</summary>
    private static string MacAddress(string seed)
    {
        var bytes = DeterministicId.Guid(seed).ToByteArray();
        return $"080027{bytes[0]:X2}{bytes[1]:X2}{bytes[2]:X2}";
    }

    private static void NamedElement(XmlWriter xml, string element, string name)
    {
        xml.WriteStartElement("", element, OvfNs);
        xml.WriteAttributeString("name", name);
        xml.WriteEndElement();
    }

    private static void Item(XmlWriter xml, params (string Name, string Value)[] fields)
    {
        xml.WriteStartElement("", "Item", OvfNs);
        foreach (var (name, value) in fields) xml.WriteElementString(name, RasdNs, value);
        xml.WriteEndElement();
    }

    private static void Attr(XmlWriter xml, string name, string value) => xml.WriteAttributeString("ovf", name, OvfNs, value);

    private static void Attr(XmlWriter xml, string name, long value) => Attr(xml, name, value.ToString(CultureInfo.InvariantCulture));

    private sealed class StringWriterUtf8(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
