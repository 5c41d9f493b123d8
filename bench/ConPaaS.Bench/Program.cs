using ConPaaS.Bench;

// ConPaaS.Bench director BIN_DIR       the listapp benchmark (prints the figures and the ratio)
// ConPaaS.Bench lifecycle BIN_DIR      application start, service start, add_nodes of 10 agents
// ConPaaS.Bench services BIN_DIR       php, java, mysql: service start to first request; php proxy vs nginx direct, 1 and 2 backends
// ConPaaS.Bench frontend BIN_DIR       the frontend's pages for 200 applications of 20 services, beside /listapp
// ConPaaS.Bench ceiling PORT CERT_DIR  the bare Kestrel endpoint it compares against (started by the former)
return args switch
{
    ["director", var bin] => await DirectorBench.RunAsync(bin),
    ["lifecycle", var bin] => await LifecycleBench.RunAsync(bin),
    ["frontend", var bin] => await FrontendBench.RunAsync(bin),
    ["services", var bin] => await ServicesBench.RunAsync(bin),
    ["ceiling", var port, var certificates] => await Ceiling.RunAsync(int.Parse(port), certificates),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ConPaaS.Bench director BIN_DIR | lifecycle BIN_DIR | frontend BIN_DIR | services BIN_DIR | ceiling PORT CERT_DIR");
    return 2;
}
