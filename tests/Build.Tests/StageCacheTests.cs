using ConPaaS.Builder;
using ConPaaS.Testing;

namespace Build.Tests;

public class StageCacheTests
{
    [Fact]
    public async Task BuildsOnceThenHits()
    {
        using var temp = new TempDirectory();
        var cache = new StageCache(temp.Path);
        var builds = 0;
        Task Build(string directory)
        {
            builds++;
            return File.WriteAllTextAsync(Path.Combine(directory, "out.txt"), "made");
        }
        var first = await cache.GetOrBuildAsync("stage", "key1", Build);
        var second = await cache.GetOrBuildAsync("stage", "key1", Build);
        Assert.Equal(first, second);
        Assert.Equal(1, builds);
        Assert.Equal("made", File.ReadAllText(Path.Combine(first, "out.txt")));
    }

    [Fact]
    public async Task AFailedBuildLeavesNoEntry()
    {
        using var temp = new TempDirectory();
        var cache = new StageCache(temp.Path);
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrBuildAsync("stage", "key", directory =>
        {
            File.WriteAllText(Path.Combine(directory, "half"), "x");
            throw new InvalidOperationException("boom");
        }));
        Assert.False(cache.Has("stage", "key"));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(temp.Path, "stage")));
    }

    [Fact]
    public async Task LeftoversOfAKilledBuildAreRemovedAndOldEntriesPruned()
    {
        using var temp = new TempDirectory();
        var abandoned = Path.Combine(temp.Path, "stage", ".old.999999999.tmp");
        Directory.CreateDirectory(abandoned);
        var cache = new StageCache(temp.Path);
        var keys = Enumerable.Range(1, StageCache.KeptEntries + 1).Select(i => $"k{i}").ToList();
        foreach (var key in keys)
        {
            await cache.GetOrBuildAsync("stage", key, _ => Task.CompletedTask);
            await Task.Delay(50); // directory times tick at the kernel's coarse clock
        }
        Assert.False(Directory.Exists(abandoned));
        Assert.False(cache.Has("stage", keys[0]));
        Assert.All(keys.Skip(1), key => Assert.True(cache.Has("stage", key)));
    }

    [Fact]
    public void KeyChangesWithContentNotWithTime()
    {
        using var temp = new TempDirectory();
        var file = temp.File("a.cs");
        File.WriteAllText(file, "one");
        var before = StageCache.Key(temp.Path, [file], "x");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
        Assert.Equal(before, StageCache.Key(temp.Path, [file], "x"));
        File.WriteAllText(file, "two");
        Assert.NotEqual(before, StageCache.Key(temp.Path, [file], "x"));
        Assert.NotEqual(before, StageCache.Key(temp.Path, [file], "y"));
    }
}
