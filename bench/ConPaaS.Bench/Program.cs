using ConPaaS.Bench;

// ConPaaS.Bench director BIN_DIR       the listapp benchmark (prints the figures and the ratio)
// ConPaaS.Bench ceiling PORT CERT_DIR  the bare Kestrel endpoint it compares against (started by the former)
return args switch
{
    ["director", var bin] => await DirectorBench.RunAsync(bin),
    ["ceiling", var port, var certificates] => await Ceiling.RunAsync(int.Parse(port), certificates),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ConPaaS.Bench director BIN_DIR | ceiling PORT CERT_DIR");
    return 2;
}
