<#
.SYNOPSIS
    Counts the System-log events that show ephemeral-port exhaustion, and when each last happened.

.DESCRIPTION
    Queries the System log for Tcpip events 4227 (a local endpoint was reused too soon: connections
    opened and closed too fast), 4231 (no ephemeral port left in the global TCP port space) and 4266
    (the UDP counterpart) since -Since (default: the last 24 hours). No events is not an error.
    Prints {"ok":true,"data":{"since":"...","counts":{"4227":N,"4231":N,"4266":N},
    "latest":{"4227":"ISO time or null",...}},"error":null}.

.PARAMETER Since
    Oldest event time to count (default: 24 hours ago).

.EXAMPLE
    (.\Get-PortExhaustionEvents.ps1 -Since (Get-Date).AddDays(-7) | ConvertFrom-Json).data.counts
#>
[CmdletBinding()]
param(
    [datetime]$Since = (Get-Date).AddHours(-24)
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Command Write-PortTopJson -CommandType Function -ErrorAction SilentlyContinue)) { . (Join-Path $PSScriptRoot 'PortTopCommon.ps1') }

$eventIds = @(4227, 4231, 4266)

try {
    if (-not (Get-Command Get-WinEvent -ErrorAction SilentlyContinue)) {
        Write-PortTopError 'unsupported' 'Get-WinEvent is missing here: the System event log exists only on Windows'
        return
    }
    $events = @()
    try {
        # only the TCP/IP driver's events: other providers reuse these ids for unrelated things
        $events = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Tcpip'; Id = $eventIds; StartTime = $Since } -ErrorAction Stop)
    }
    catch {
        # "No events were found that match the specified selection criteria" is an answer, not a failure
        if ([string]$_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw }
    }
    $counts = [ordered]@{}
    $latest = [ordered]@{}
    foreach ($id in $eventIds) { $counts[[string]$id] = 0; $latest[[string]$id] = $null }
    $latestTimes = @{}
    foreach ($e in $events) {
        if ($null -eq $e) { continue }
        $key = [string]$e.Id
        if (-not $counts.Contains($key)) { continue }
        $counts[$key] = $counts[$key] + 1
        $time = [datetime]$e.TimeCreated
        if (-not $latestTimes.ContainsKey($key) -or $time -gt $latestTimes[$key]) { $latestTimes[$key] = $time }
    }
    foreach ($key in $latestTimes.Keys) { $latest[$key] = Format-PortTopTime $latestTimes[$key] }
    $data = [ordered]@{ since = (Format-PortTopTime $Since); counts = $counts; latest = $latest }
    Write-PortTopJson ('{"ok":true,"data":' + (ConvertTo-Json -InputObject $data -Compress -Depth 4) + ',"error":null}')
}
catch {
    Write-PortTopError 'failed' ([string]$_.Exception.Message)
}
