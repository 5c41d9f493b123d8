#!/usr/bin/env pwsh
# Bootstrap for PowerShell (pwsh on Linux), the same steps as build.sh: build the build host, install the host
# tools its plan needs (Debian, as root), then run it. Usage: ./build.ps1 [--target NAME] [--dry-run] [--help]
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('build.ps1: the .NET SDK (dotnet, version in global.json) is not installed; see https://dot.net')
    exit 1
}
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
& dotnet build build/Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly -o out/build-host | Out-Null
if ($LASTEXITCODE -ne 0) {
    & dotnet build build/Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly -o out/build-host
    exit 1
}

$install = $true
foreach ($arg in $args) { if (@('--help', '-h', '-?', '--dry-run', '-n') -contains [string]$arg) { $install = $false } }

if ($install) {
    # The build host knows the plan (the target and what it depends on) and which of its host tools are missing.
    $missing = @(& dotnet out/build-host/build.dll @args --missing-tools 2>$null | Where-Object { $_ })
    if ($LASTEXITCODE -eq 0 -and $missing.Count -gt 0) {
        $tools = ($missing | ForEach-Object { ($_ -split ' ')[0] }) -join ' '
        # The second field is the package as apt takes it: package/CODENAME-backports for a newer version than the
        # release's, whose suite must be among apt's sources.
        $packages = @($missing | ForEach-Object { ($_ -split ' ')[1] } | Sort-Object -Unique)
        $suites = @($packages | Where-Object { $_ -like '*/*' } | ForEach-Object { ($_ -split '/')[1] } | Sort-Object -Unique)
        if ((& id -u) -ne '0') {
            [Console]::Error.WriteLine("build.ps1: these host tools are missing: $tools")
            [Console]::Error.WriteLine("build.ps1: install them with: sudo apt-get install -y $($packages -join ' ')")
            if ($suites.Count -gt 0) { [Console]::Error.WriteLine("build.ps1: (with $($suites -join ' ') among apt's sources)") }
            exit 1
        }
        Write-Host "build.ps1: installing host tools: $($packages -join ' ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        # apt reads *.list and *.sources; a commented-out line or a backup file does not count.
        $sources = @(Get-Item /etc/apt/sources.list -ErrorAction SilentlyContinue) + @(Get-ChildItem /etc/apt/sources.list.d/* -File -Include *.list, *.sources -ErrorAction SilentlyContinue)
        foreach ($suite in $suites) {
            if (-not ($sources | Select-String -Pattern "^[^#]*\s$([regex]::Escape($suite))(\s|$)" -Quiet)) {
                Write-Host "build.ps1: adding $suite to apt's sources (/etc/apt/sources.list.d/$suite.sources)"
                "Types: deb`nURIs: http://deb.debian.org/debian`nSuites: $suite`nComponents: main`nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg`n" |
                    Set-Content -NoNewline "/etc/apt/sources.list.d/$suite.sources"
            }
        }
        & apt-get update -qq
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        & apt-get install -y -qq --no-install-recommends @packages
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
}

& dotnet out/build-host/build.dll @args
exit $LASTEXITCODE
