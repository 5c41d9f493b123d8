namespace ConPaaS.Build;

/// <summary>The targets and their dependencies; turns a requested target into the order to run.</summary>
internal sealed class TargetGraph
{
    private readonly Dictionary<string, Target> _targets;

    public TargetGraph(IEnumerable<Target> targets)
    {
        _targets = new Dictionary<string, Target>(StringComparer.OrdinalIgnoreCase);
        foreach (var target in targets)
        {
            if (!_targets.TryAdd(target.Name, target)) throw new InvalidOperationException($"target '{target.Name}' is defined twice");
        }
        foreach (var target in _targets.Values)
        foreach (var dependency in target.DependsOn.Where(d => !_targets.ContainsKey(d)))
            throw new InvalidOperationException($"target '{target.Name}' depends on unknown target '{dependency}'");
    }

    public IEnumerable<Target> All => _targets.Values;

    public Target Find(string name) =>
        _targets.TryGetValue(name, out var target)
            ? target
            : throw new BuildException($"unknown target '{name}'; known targets: {string.Join(", ", _targets.Keys)}");

    /// <summary>The requested target and everything it needs, dependencies first, each once.</summary>
    public IReadOnlyList<Target> PlanFor(string name)
    {
        var order = new List<Target>();
        var state = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase); // false: visiting, true: done
        Visit(Find(name), order, state, []);
        return order;
    }

    private void Visit(Target target, List<Target> order, Dictionary<string, bool> state, List<string> path)
    {
        if (state.TryGetValue(target.Name, out var done))
        {
            if (!done) throw new BuildException($"dependency cycle: {string.Join(" -> ", path.Append(target.Name))}");
            return;
        }
        state[target.Name] = false;
        path.Add(target.Name);
        foreach (var dependency in target.DependsOn) Visit(Find(dependency), order, state, path);
        path.RemoveAt(path.Count - 1);
        state[target.Name] = true;
        order.Add(target);
    }
}
