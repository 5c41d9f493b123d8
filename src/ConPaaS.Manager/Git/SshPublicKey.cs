using System.Buffers.Binary;
using ConPaaS.Platform.Rpc;

namespace ConPaaS.Manager.Git;

/// <summary>
/// An uploaded SSH public key, in OpenSSH's one-line form (<c>type base64 [comment]</c>). Keys end up in sshd's
/// authorized_keys behind our forced command, so anything that could smuggle options or extra lines into that file is
/// refused: the line must be exactly a known key type, a blob whose own type field agrees, and a printable comment.
/// </summary>
public sealed record SshPublicKey(string Type, string Blob, string Comment)
{
    private static readonly HashSet<string> Types =
    [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    public override string ToString() => Comment.Length > 0 ? $"{Type} {Blob} {Comment}" : $"{Type} {Blob}";

    public static SshPublicKey Parse(string text)
    {
        var line = text.Trim();
        if (line.Length is 0 or > 16384 || line.Contains('\n') || line.Contains('\r'))
            throw new RpcException("an SSH public key is one line (the contents of a .pub file)");
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !Types.Contains(parts[0]))
            throw new RpcException($"that is not an SSH public key: it must start with one of {string.Join(", ", Types.Order())}");
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            throw new RpcException("that is not an SSH public key: the key data is not base64");
        }
        // The blob opens with its own type as an SSH string (a 32-bit big-endian length, then the bytes).
        var length = blob.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(blob) : uint.MaxValue;
        if (length > blob.Length - 4 || System.Text.Encoding.ASCII.GetString(blob, 4, (int)length) != parts[0])
            throw new RpcException($"that is not an SSH public key: its data is not a {parts[0]} key");
        var comment = parts.Length > 2 ? parts[2].Trim() : "";
        if (comment.Any(c => char.IsControl(c) || c == '"'))
            throw new RpcException("the SSH key's comment holds control characters or quotes");
        return new SshPublicKey(parts[0], parts[1], comment);
    }
}
