#!/usr/bin/env pwsh
# Bootstrap for PowerShell (pwsh on Linux): the same steps as build.sh. Install the host tools the chosen
# target needs (Debian, as root), then run the build host. Usage: ./build.ps1 [--target NAME] [--dry-run] [--help]
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

$target = ''
$install = $true
for ($i = 0; $i -lt $args.Count; $i++) {
    $arg = [string]$args[$i]
    if ($arg -eq '--target' -or $arg -eq '-t') { if ($i + 1 -lt $args.Count) { $target = [string]$args[$i + 1] } }
    elseif ($arg.StartsWith('--target=')) { $target = $arg.Substring(9) }
    elseif (@('--help', '-h', '-?', '--dry-run', '-n') -contains $arg) { $install = $false }
}
if (-not $target) {
    $match = Select-String -Path 'build/BuildTargets.cs' -Pattern 'const string Default = "([A-Za-z]+)"'
    $target = $match.Matches[0].Groups[1].Value
}

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error 'build.ps1: the .NET SDK (dotnet, version in global.json) is not installed; see https://dot.net'
    exit 1
}

function Test-Tool([string]$tool) {
    if (Get-Command $tool -ErrorAction SilentlyContinue) { return $true }
    return (Test-Path "/usr/sbin/$tool") -or (Test-Path "/sbin/$tool")
}

$missingTools = @()
$missingPackages = @()
foreach ($line in Get-Content 'build/host-tools.txt') {
    $fields = ($line -replace '#.*$', '').Trim() -split '\s+'
    if ($fields.Count -ne 3 -or $fields[0] -ne $target) { continue }
    if (-not (Test-Tool $fields[1])) {
        $missingTools += $fields[1]
        if ($missingPackages -notcontains $fields[2]) { $missingPackages += $fields[2] }
    }
}

if ($missingPackages.Count -gt 0 -and $install) {
    if ((& id -u) -ne '0') {
        [Console]::Error.WriteLine("build.ps1: target $target needs host tools that are missing: $($missingTools -join ' ')")
        [Console]::Error.WriteLine("build.ps1: install them with: sudo apt-get install -y $($missingPackages -join ' ')")
        exit 1
    }
    Write-Host "build.ps1: installing host tools for ${target}: $($missingPackages -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    & apt-get install -y -qq --no-install-recommends @missingPackages
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
& dotnet build build/Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly -o out/build-host
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
& dotnet out/build-host/build.dll @args
exit $LASTEXITCODE
