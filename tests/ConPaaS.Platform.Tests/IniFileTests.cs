using ConPaaS.Platform.Configuration;

namespace ConPaaS.Platform.Tests;

public class IniFileTests
{
    [Fact]
    public void Reads_sections_keys_both_separators_and_comments_case_insensitively()
    {
        var file = IniFile.Parse("# comment\n[iaas]\nDRIVER = local\n; other\nOTHER_CLOUDS: a,b\n\n[Director]\nDATABASE_URI=sqlite:////x.db\n", "director.cfg");
        Assert.Equal("local", file.Get("IAAS", "driver"));
        Assert.Equal("a,b", file.Get("iaas", "OTHER_CLOUDS"));
        Assert.Equal("sqlite:////x.db", file.Get("director", "DATABASE_URI"));
        Assert.Null(file.Get("iaas", "missing"));
    }

    [Theory]
    [InlineData("[iaas\nDRIVER = local\n", "director.cfg:1: malformed section header")]
    [InlineData("DRIVER = local\n", "director.cfg:1: 'DRIVER' is outside any [section]")]
    [InlineData("[iaas]\n\njust words\n", "director.cfg:3: expected 'KEY = value'")]
    public void Malformed_lines_fail_with_file_and_line(string text, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => IniFile.Parse(text, "director.cfg"));
        Assert.StartsWith(expected, error.Message);
    }
}
