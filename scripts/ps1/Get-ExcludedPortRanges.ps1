<#
.SYNOPSIS
    Port ranges Windows reserves (Hyper-V, WSL, Docker, administered exclusions), as one JSON envelope.

.DESCRIPTION
    Runs `netsh int ipv4|ipv6 show excludedportrange protocol=tcp|udp`. A bind in such a range fails
    with "access denied" although no process owns the port. Rows are read by shape (two numbers,
    maybe a "*" for an administered exclusion), so localized Windows works.
    Prints {"ok":true,"data":[{"protocol":"tcp","family":"ipv4","start":50000,"end":50059,
    "administered":true}, ...],"error":null}.

.EXAMPLE
    (.\Get-ExcludedPortRanges.ps1 | ConvertFrom-Json).data | Where-Object { 8080 -ge $_.start -and 8080 -le $_.end }
#>
[CmdletBinding()]
param(
    [ValidateSet('tcp', 'udp')][string[]]$Protocol = @('tcp', 'udp'),
    [ValidateSet('ipv4', 'ipv6')][string[]]$Family = @('ipv4', 'ipv6')
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Command Write-PortTopJson -CommandType Function -ErrorAction SilentlyContinue)) { . (Join-Path $PSScriptRoot 'PortTopCommon.ps1') }
$PSNativeCommandUseErrorActionPreference = $false

try {
    if (-not (Get-Command netsh -ErrorAction SilentlyContinue)) {
        Write-PortTopError 'unsupported' 'netsh is missing here: excluded port ranges exist only on Windows'
        return
    }
    $ranges = New-Object System.Collections.Generic.List[object]
    foreach ($f in $Family) {
        foreach ($p in $Protocol) {
            $result = Invoke-PortTopNetsh @('int', $f, 'show', 'excludedportrange', "protocol=$p")
            if ($result.ExitCode -ne 0) {
                $text = (($result.Lines | Where-Object { $_.Trim() }) -join ' ').Trim()
                Write-PortTopError 'failed' "netsh int $f show excludedportrange protocol=$p failed (exit code $($result.ExitCode)): $text"
                return
            }
            foreach ($line in $result.Lines) {
                if ($line -match '^\s*(\d+)\s+(\d+)\s*(\*)?\s*$') {
                    $ranges.Add([pscustomobject]@{ protocol = $p; family = $f; start = [int]$Matches[1]; end = [int]$Matches[2]; administered = [bool]$Matches[3] })
                }
            }
        }
    }
    $json = '[]'
    if ($ranges.Count -gt 0) {
        $json = ConvertTo-Json -InputObject ([object[]]$ranges.ToArray()) -Compress -Depth 3
        if (-not $json.StartsWith('[')) { $json = '[' + $json + ']' }
    }
    Write-PortTopJson ('{"ok":true,"data":' + $json + ',"error":null}')
}
catch {
    Write-PortTopError 'failed' ([string]$_.Exception.Message)
}
