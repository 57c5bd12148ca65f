<#
.SYNOPSIS
    Stops one process with Stop-Process -Force, but only if it is still the process you saw.

.DESCRIPTION
    Before stopping, checks that the PID still belongs to a process with the expected name and start
    time (a PID reused by another program is left alone). Refuses PID 0 (Idle), PID 4 (System), this
    PowerShell session itself, and the critical processes csrss, smss, wininit, services, lsass and
    winlogon unless -AllowCritical is given. Waits up to -WaitSeconds for the process to end.
    Prints {"ok":true,"data":{"pid":N,"name":"...","outcome":"stopped|gone|refused|not-permitted|survived",
    "message":"..."},"error":null}.

.PARAMETER Id
    The process ID.

.PARAMETER ExpectedName
    The process name as Get-Process shows it (without .exe); a different name means the PID was reused.

.PARAMETER ExpectedStartTime
    The start time as ISO 8601 UTC with milliseconds (2024-05-01T08:00:00.123Z), as
    Get-PortTopSnapshot.ps1 prints it.

.PARAMETER AllowCritical
    Allow stopping csrss, smss, wininit, services, lsass or winlogon (this can crash Windows).

.EXAMPLE
    .\Stop-PortTopProcess.ps1 -Id 4711 -ExpectedName node
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][long]$Id,
    [string]$ExpectedName,
    [string]$ExpectedStartTime,
    [switch]$AllowCritical,
    [ValidateRange(0, 600)][int]$WaitSeconds = 5
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Command Write-PortTopJson -CommandType Function -ErrorAction SilentlyContinue)) { . (Join-Path $PSScriptRoot 'PortTopCommon.ps1') }

$criticalNames = @('csrss', 'smss', 'wininit', 'services', 'lsass', 'winlogon')

function Write-PortTopOutcome {
    param([string]$Name, [string]$Outcome, [string]$Message)
    $data = [ordered]@{ pid = $Id; name = $Name; outcome = $Outcome; message = $Message }
    Write-PortTopJson ('{"ok":true,"data":' + (ConvertTo-Json -InputObject $data -Compress -Depth 2) + ',"error":null}')
}

function Test-PortTopAccessDenied {
    param($ErrorRecord)
    $exception = $ErrorRecord.Exception
    while ($null -ne $exception) {
        # ERROR_ACCESS_DENIED on Windows, EPERM elsewhere
        if ($exception -is [ComponentModel.Win32Exception] -and ($exception.NativeErrorCode -eq 5 -or $exception.NativeErrorCode -eq 1)) { return $true }
        if ($exception -is [UnauthorizedAccessException]) { return $true }
        $exception = $exception.InnerException
    }
    return $ErrorRecord.CategoryInfo.Category -eq 'PermissionDenied'
}

try {
    $name = if ($ExpectedName) { $ExpectedName } else { '?' }
    if ($Id -le 0) { Write-PortTopOutcome $name 'refused' 'refused: PID 0 is the System Idle Process, not a process that can be stopped'; return }
    if ($Id -eq 4) { Write-PortTopOutcome $name 'refused' 'refused: PID 4 is the Windows System process'; return }
    if ($Id -eq $PID) { Write-PortTopOutcome $name 'refused' 'refused: that is the PowerShell session running this script'; return }

    $process = Get-Process -Id $Id -ErrorAction SilentlyContinue
    if ($null -eq $process) { Write-PortTopOutcome $name 'gone' 'exited before it could be stopped; nothing done'; return }
    $name = $process.ProcessName
    if ($ExpectedName -and $process.ProcessName -ne $ExpectedName) {
        Write-PortTopOutcome $name 'gone' "PID $Id now belongs to $($process.ProcessName), not $($ExpectedName): left alone"
        return
    }
    if ($ExpectedStartTime) {
        $startTime = $null
        try { $startTime = Format-PortTopTime $process.StartTime } catch { $startTime = $null }
        if ($null -ne $startTime -and $startTime -ne $ExpectedStartTime) {
            Write-PortTopOutcome $name 'gone' "PID $Id was started at $startTime, not $($ExpectedStartTime): another process reuses the PID; left alone"
            return
        }
    }
    if (-not $AllowCritical -and $criticalNames -contains $process.ProcessName.ToLowerInvariant()) {
        Write-PortTopOutcome $name 'refused' "refused: $($process.ProcessName) is a critical Windows process (stopping it can crash the machine); pass --allow-critical to insist"
        return
    }
    try {
        Stop-Process -Id $Id -Force -ErrorAction Stop
    }
    catch {
        if (-not (Get-Process -Id $Id -ErrorAction SilentlyContinue)) { Write-PortTopOutcome $name 'stopped' 'stopped (it was already exiting)'; return }
        if (Test-PortTopAccessDenied $_) {
            Write-PortTopOutcome $name 'not-permitted' "access denied stopping $name ($Id): run porttop as Administrator (it may belong to another user or be protected)"
            return
        }
        throw
    }
    if ($process.WaitForExit($WaitSeconds * 1000)) { Write-PortTopOutcome $name 'stopped' 'stopped (Stop-Process -Force)' }
    else { Write-PortTopOutcome $name 'survived' "still running $WaitSeconds s after Stop-Process -Force" }
}
catch {
    Write-PortTopError 'failed' ([string]$_.Exception.Message)
}
