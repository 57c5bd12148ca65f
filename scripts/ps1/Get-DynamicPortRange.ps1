<#
.SYNOPSIS
    The dynamic (ephemeral) port range of TCP and UDP over IPv4 and IPv6, as one JSON envelope.

.DESCRIPTION
    Runs `netsh int ipv4|ipv6 show dynamicport tcp|udp` and reads the first two numbers that follow a
    colon (start port, number of ports), so English, French, Russian or any other language of
    Windows works. Prints {"ok":true,"data":[{"protocol":"tcp","family":"ipv4","start":49152,
    "count":16384}, ...],"error":null} or {"ok":false,...,"error":{"kind":"...","message":"..."}}.

.PARAMETER Protocol
    tcp, udp or both (default).

.PARAMETER Family
    ipv4, ipv6 or both (default).

.EXAMPLE
    (.\Get-DynamicPortRange.ps1 | ConvertFrom-Json).data | Format-Table
#>
[CmdletBinding()]
param(
    [ValidateSet('tcp', 'udp')][string[]]$Protocol = @('tcp', 'udp'),
    [ValidateSet('ipv4', 'ipv6')][string[]]$Family = @('ipv4', 'ipv6')
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Command Write-PortTopJson -CommandType Function -ErrorAction SilentlyContinue)) { . (Join-Path $PSScriptRoot 'PortTopCommon.ps1') }
$PSNativeCommandUseErrorActionPreference = $false

function ConvertFrom-PortTopDynamicPort {
    # "Start Port      : 49152" / "Port de d...marrage : 49152" / Russian: the first two integers after a colon
    param([string[]]$Lines)
    $numbers = New-Object System.Collections.Generic.List[int]
    foreach ($line in $Lines) {
        if ([string]$line -match ':\s*(\d+)\s*$') { $numbers.Add([int]$Matches[1]) }
        if ($numbers.Count -eq 2) { return [pscustomobject]@{ Start = $numbers[0]; Count = $numbers[1] } }
    }
    return $null
}

try {
    if (-not (Get-Command netsh -ErrorAction SilentlyContinue)) {
        Write-PortTopError 'unsupported' 'netsh is missing here: the dynamic port range of Windows can only be read on Windows'
        return
    }
    $ranges = New-Object System.Collections.Generic.List[object]
    foreach ($f in $Family) {
        foreach ($p in $Protocol) {
            $result = Invoke-PortTopNetsh @('int', $f, 'show', 'dynamicport', $p)
            $parsed = ConvertFrom-PortTopDynamicPort $result.Lines
            if ($result.ExitCode -ne 0 -or $null -eq $parsed) {
                $text = (($result.Lines | Where-Object { $_.Trim() }) -join ' ').Trim()
                Write-PortTopError 'failed' "netsh int $f show dynamicport $p gave no range (exit code $($result.ExitCode)): $text"
                return
            }
            $ranges.Add([pscustomobject]@{ protocol = $p; family = $f; start = $parsed.Start; count = $parsed.Count })
        }
    }
    $json = ConvertTo-Json -InputObject ([object[]]$ranges.ToArray()) -Compress -Depth 3
    if (-not $json.StartsWith('[')) { $json = '[' + $json + ']' }
    Write-PortTopJson ('{"ok":true,"data":' + $json + ',"error":null}')
}
catch {
    Write-PortTopError 'failed' ([string]$_.Exception.Message)
}
