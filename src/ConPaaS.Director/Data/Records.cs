namespace ConPaaS.Director.Data;

// The rows, named and shaped as the ConPaaS API returns them (snake_case on the wire).

public sealed record User(long Uid, string Username, string Fname, string Lname, string Email, string Affiliation, string Password, string Created, long Credit)
{
    /// <summary>The user as the API shows it: everything but the password hash.</summary>
    public object Public => new { uid = Uid, username = Username, fname = Fname, lname = Lname, email = Email, affiliation = Affiliation, credit = Credit, created = Created };
}

public sealed record Application(long Aid, string Name, long Uid, string Status, string? Manager, long? ManagerPort, string? Vmid, string? Cloud, string Created)
{
    public object Public => new { aid = Aid, name = Name, uid = Uid, status = Status, manager = Manager, manager_port = ManagerPort, vmid = Vmid, cloud = Cloud, created = Created };
}

public sealed record Service(long ApplicationId, long Sid, string Name, string Type, string State, string Cloud, string Created)
{
    public object Public => new { sid = Sid, name = Name, type = Type, state = State, created = Created, cloud = Cloud, application_id = ApplicationId };
}

public sealed record Resource(long Rid, string Vmid, long AppId, long ServiceId, string Ip, long Port, string Role, string Cloud, string Created, long Charged)
{
    public object Public(string appName) => new
    {
        rid = Rid, vmid = Vmid, app_id = AppId, service_id = ServiceId, charged = Charged, ip = Ip, port = Port, role = Role,
        cloud = Cloud, created = Created, app_name = appName,
    };
}

public sealed record Volume(long Vid, string Name, long AppId, long SizeMb, string Cloud, string? Vmid, string Created)
{
    public object Public => new { vid = Vid, name = Name, app_id = AppId, size_mb = SizeMb, cloud = Cloud, vmid = Vmid, created = Created };
}
