using ConPaaS.Testing;

namespace ConPaaS.Node.Tests;

/// <summary>The node's context as a cloud driver writes it: START_TIMEOUT, the director's NODE_START_TIMEOUT.</summary>
public class NodeContextTests
{
    private static NodeContext Load(string extra)
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("node.cfg"), "[node]\nROLE = manager\nVMID = libvirt-00000001\nIP = 172.16.0.225\nPORT = 4443\n" +
            "USER_ID = 1\nAPP_ID = 1\nSERVICE_ID = 0\nSERVICE_TYPE = manager\nCLOUD = default\nDIRECTOR_URL = https://172.16.0.1:5555\nCERT_DIR = certs\n" + extra);
        return NodeContext.Load(directory.File("node.cfg"));
    }

    [Fact]
    public void An_agent_has_a_minute_to_start_unless_the_director_says_otherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Load("").StartTimeout);
        Assert.Equal(TimeSpan.FromSeconds(900), Load("START_TIMEOUT = 900\n").StartTimeout);
    }

    [Theory]
    [InlineData("START_TIMEOUT = 5\n")]
    [InlineData("START_TIMEOUT = soon\n")]
    public void A_bad_start_timeout_is_named(string line) =>
        Assert.Contains("[node] START_TIMEOUT must be a number of seconds from 10 to 3600", Assert.Throws<InvalidDataException>(() => Load(line)).Message);
}
