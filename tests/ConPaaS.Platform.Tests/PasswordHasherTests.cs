using ConPaaS.Platform.Security;

namespace ConPaaS.Platform.Tests;

public class PasswordHasherTests
{
    [Fact]
    public void Hashes_are_salted_slow_and_verify_only_the_right_password()
    {
        var first = PasswordHasher.Hash("password");
        var second = PasswordHasher.Hash("password");
        Assert.NotEqual(first, second);
        Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.Iterations}$", first);
        Assert.True(PasswordHasher.Iterations >= 100_000);
        Assert.True(PasswordHasher.Verify("password", first));
        Assert.False(PasswordHasher.Verify("Password", first));
        Assert.False(PasswordHasher.Verify("password", "5f4dcc3b5aa765d61d8327deb882cf99"));
    }
}
