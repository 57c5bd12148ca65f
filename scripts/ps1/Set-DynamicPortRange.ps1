<#
.SYNOPSIS
    Changes the dynamic (ephemeral) port range with netsh, after checking the values and elevation.

.DESCRIPTION
    Runs `netsh int ipv4|ipv6 set dynamicport tcp|udp start=N num=N` for each chosen protocol and
    family. The rules are netsh's: StartPort at least 1025, NumberOfPorts at least 255, and
    StartPort + NumberOfPorts - 1 at most 65535. Without elevation it changes nothing and answers
    kind "not-permitted". The change takes effect at once, without a reboot.
    Prints {"ok":true,"data":[{"protocol":...,"family":...,"start":N,"count":N}, ...],"error":null}
    (the changes made), or {"ok":false,...,"error":{"kind":"bad-input|not-permitted|failed",...}}.

.PARAMETER StartPort
    First port of the range (1025-65281).

.PARAMETER NumberOfPorts
    How many ports (at least 255).

.PARAMETER Protocol
    tcp, udp or both (default).

.PARAMETER Family
    ipv4, ipv6 or both (default).

.EXAMPLE
    .\Set-DynamicPortRange.ps1 -StartPort 10000 -NumberOfPorts 1000 -Protocol tcp -Family ipv4
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][long]$StartPort,
    [Parameter(Mandatory = $true)][long]$NumberOfPorts,
    [ValidateSet('tcp', 'udp')][string[]]$Protocol = @('tcp', 'udp'),
    [ValidateSet('ipv4', 'ipv6')][string[]]$Family = @('ipv4', 'ipv6')
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Command Write-PortTopJson -CommandType Function -ErrorAction SilentlyContinue)) { . (Join-Path $PSScriptRoot 'PortTopCommon.ps1') }
$PSNativeCommandUseErrorActionPreference = $false

function Test-PortTopElevated {
    if ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows) {
        $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
        return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
    }
    $privileged = [Environment]::IsPrivilegedProcess # .NET 8 (PowerShell 7.4 and later)
    if ($null -ne $privileged) { return [bool]$privileged }
    return ([string](& id -u) -eq '0')
}

try {
    $end = $StartPort + $NumberOfPorts - 1
    if ($StartPort -lt 1025 -or $StartPort -gt 65281) {
        Write-PortTopError 'bad-input' "invalid StartPort $($StartPort): expected a whole number from 1025 to 65281"
        return
    }
    if ($NumberOfPorts -lt 255) {
        Write-PortTopError 'bad-input' "invalid NumberOfPorts $($NumberOfPorts): expected at least 255"
        return
    }
    if ($end -gt 65535) {
        Write-PortTopError 'bad-input' "invalid range: StartPort $StartPort with NumberOfPorts $NumberOfPorts would end at $end, past 65535"
        return
    }
    if (-not (Test-PortTopElevated)) {
        Write-PortTopError 'not-permitted' 'changing the dynamic port range needs elevation: run porttop as Administrator'
        return
    }
    if (-not (Get-Command netsh -ErrorAction SilentlyContinue)) {
        Write-PortTopError 'unsupported' 'netsh is missing here: the dynamic port range of Windows can only be changed on Windows'
        return
    }
    $done = New-Object System.Collections.Generic.List[object]
    foreach ($f in $Family) {
        foreach ($p in $Protocol) {
            $result = Invoke-PortTopNetsh @('int', $f, 'set', 'dynamicport', $p, "start=$StartPort", "num=$NumberOfPorts")
            if ($result.ExitCode -ne 0) {
                $text = (($result.Lines | Where-Object { $_.Trim() }) -join ' ').Trim()
                $already = if ($done.Count -gt 0) { " (already changed: $((@($done) | ForEach-Object { "$($_.protocol) $($_.family)" }) -join ', '))" } else { '' }
                Write-PortTopError 'failed' "netsh int $f set dynamicport $p failed (exit code $($result.ExitCode)): $text$already"
                return
            }
            $done.Add([pscustomobject]@{ protocol = $p; family = $f; start = $StartPort; count = $NumberOfPorts })
        }
    }
    $json = ConvertTo-Json -InputObject ([object[]]$done.ToArray()) -Compress -Depth 3
    if (-not $json.StartsWith('[')) { $json = '[' + $json + ']' }
    Write-PortTopJson ('{"ok":true,"data":' + $json + ',"error":null}')
}
catch {
    Write-PortTopError 'failed' ([string]$_.Exception.Message)
}
