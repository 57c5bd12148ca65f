<#
.SYNOPSIS
    Every TCP and UDP endpoint of this machine with the process that owns it, as one JSON envelope.

.DESCRIPTION
    Reads Get-NetTCPConnection and Get-NetUDPEndpoint (module NetTCPIP, Windows 8 / Server 2012 and
    later) and makes one pass over Get-Process. Where NetTCPIP is missing on Windows (Windows 7 /
    Server 2008 R2) it parses `netstat -anoq` (or `netstat -ano`) instead, classifying rows by shape
    and position so localized Windows works.

    Prints one line of compact JSON: {"ok":true,"data":{...},"error":null}, or
    {"ok":false,"data":null,"error":{"kind":"...","message":"..."}}. Pipe it to ConvertFrom-Json.
    data holds: source ("cmdlets" or "netstat"), tcp and udp (localAddress, localPort,
    remoteAddress, remotePort, state, pid), processes (pid, name, handles, startTime as ISO 8601 UTC,
    path, commandLine, parentPid; null where access is denied) and warnings.

    TCP states are netstat's upper-case names: LISTEN, ESTABLISHED, TIME_WAIT, BOUND (State 100) ...
    TIME_WAIT rows report PID 0: Windows keeps no owner for them.

.PARAMETER LocalPort
    Only endpoints on these local ports (and only their owners among the processes).

.PARAMETER Source
    Auto (default): the NetTCPIP cmdlets, else netstat on Windows. Cmdlets or Netstat force one.

.EXAMPLE
    .\Get-PortTopSnapshot.ps1 -LocalPort 8080 | ConvertFrom-Json | Select-Object -ExpandProperty data

.EXAMPLE
    (.\Get-PortTopSnapshot.ps1 | ConvertFrom-Json).data.tcp | Group-Object state | Sort-Object Count
#>
[CmdletBinding()]
param(
    [int[]]$LocalPort,
    [ValidateSet('Auto', 'Cmdlets', 'Netstat')]
    [string]$Source = 'Auto'
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $false

# Get-NetTCPConnection's State enum, by name and by number (Bound = 100 has no official name everywhere)
$tcpStateNames = @{
    'Closed' = 'CLOSED'; '1' = 'CLOSED'
    'Listen' = 'LISTEN'; '2' = 'LISTEN'
    'SynSent' = 'SYN_SENT'; '3' = 'SYN_SENT'
    'SynReceived' = 'SYN_RECEIVED'; '4' = 'SYN_RECEIVED'
    'Established' = 'ESTABLISHED'; '5' = 'ESTABLISHED'
    'FinWait1' = 'FIN_WAIT_1'; '6' = 'FIN_WAIT_1'
    'FinWait2' = 'FIN_WAIT_2'; '7' = 'FIN_WAIT_2'
    'CloseWait' = 'CLOSE_WAIT'; '8' = 'CLOSE_WAIT'
    'Closing' = 'CLOSING'; '9' = 'CLOSING'
    'LastAck' = 'LAST_ACK'; '10' = 'LAST_ACK'
    'TimeWait' = 'TIME_WAIT'; '11' = 'TIME_WAIT'
    'DeleteTCB' = 'DELETE_TCB'; '12' = 'DELETE_TCB'
    'Bound' = 'BOUND'; '100' = 'BOUND'
}

# netstat's state words: English, then German, French and Spanish words (not all confirmed on a real
# localized Windows). A word not listed here is classified by the row's shape (ConvertFrom-PortTopNetstat).
# Non-ASCII letters are written as [char] codes: Windows PowerShell 5.1 reads a BOM-less script as ANSI.
$oUmlaut = [string][char]0x00D6; $eAcute = [string][char]0x00C9
$netstatStateWords = @{
    'LISTENING' = 'LISTEN'; 'LISTEN' = 'LISTEN'; "ABH${oUmlaut}REN" = 'LISTEN'; "${eAcute}COUTE" = 'LISTEN'; 'ESCUCHANDO' = 'LISTEN'
    'ESTABLISHED' = 'ESTABLISHED'; 'HERGESTELLT' = 'ESTABLISHED'; "${eAcute}TABLI" = 'ESTABLISHED'; 'ESTABLECIDO' = 'ESTABLISHED'
    'TIME_WAIT' = 'TIME_WAIT'; 'WARTEND' = 'TIME_WAIT'
    'CLOSE_WAIT' = 'CLOSE_WAIT'; 'SCHLIESSEN_WARTEN' = 'CLOSE_WAIT'
    'SYN_SENT' = 'SYN_SENT'; 'SYN_GESENDET' = 'SYN_SENT'
    'SYN_RECEIVED' = 'SYN_RECEIVED'; 'SYN_EMPFANGEN' = 'SYN_RECEIVED'
    'FIN_WAIT_1' = 'FIN_WAIT_1'; 'FIN_WAIT_2' = 'FIN_WAIT_2'
    'CLOSING' = 'CLOSING'; 'LAST_ACK' = 'LAST_ACK'; 'CLOSED' = 'CLOSED'; 'DELETE_TCB' = 'DELETE_TCB'
    'BOUND' = 'BOUND'; 'GEBUNDEN' = 'BOUND'; "LI${eAcute}" = 'BOUND'
}

function ConvertTo-PortTopJsonArray {
    param([object[]]$Items)
    # -InputObject keeps a one-element array an array (piping would unwrap it) on 5.1 and 7
    if ($null -eq $Items -or $Items.Count -eq 0) { return '[]' }
    $json = ConvertTo-Json -InputObject $Items -Compress -Depth 4
    if (-not $json.StartsWith('[')) { $json = '[' + $json + ']' }
    return $json
}

function Format-PortTopTime {
    param([datetime]$Time)
    # the same text JavaScript's toISOString() gives, so a kill can compare start times exactly
    return $Time.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

function Get-PortTopFamily {
    param([string]$Address)
    if ($Address.Contains(':')) { 'ipv6' } else { 'ipv4' }
}

function Read-PortTopCmdletEndpoints {
    param([int[]]$Ports, [System.Collections.Generic.List[string]]$Warnings)
    $tcpArgs = @{ ErrorAction = 'SilentlyContinue' }
    $udpArgs = @{ ErrorAction = 'SilentlyContinue' }
    if ($Ports) { $tcpArgs.LocalPort = $Ports; $udpArgs.LocalPort = $Ports }
    # with no match these cmdlets write an error instead of returning nothing: silence it
    $tcp = New-Object System.Collections.Generic.List[object]
    foreach ($c in @(Get-NetTCPConnection @tcpArgs)) {
        if ($null -eq $c) { continue }
        $stateText = [string]$c.State
        $state = $tcpStateNames[$stateText]
        if (-not $state) {
            try { $state = $tcpStateNames[[string][int]$c.State] } catch { $state = $null }
        }
        if (-not $state) { $Warnings.Add("unknown TCP state '$stateText' on local port $($c.LocalPort): row left out"); continue }
        $local = [string]$c.LocalAddress
        $tcp.Add([pscustomobject]@{
                family        = Get-PortTopFamily $local
                localAddress  = $local
                localPort     = [int]$c.LocalPort
                remoteAddress = [string]$c.RemoteAddress
                remotePort    = [int]$c.RemotePort
                state         = $state
                pid           = [long]$c.OwningProcess
            })
    }
    $udp = New-Object System.Collections.Generic.List[object]
    foreach ($u in @(Get-NetUDPEndpoint @udpArgs)) {
        if ($null -eq $u) { continue }
        $local = [string]$u.LocalAddress
        $udp.Add([pscustomobject]@{
                family       = Get-PortTopFamily $local
                localAddress = $local
                localPort    = [int]$u.LocalPort
                pid          = [long]$u.OwningProcess
            })
    }
    return , @($tcp.ToArray(), $udp.ToArray())
}

function Split-PortTopNetstatAddress {
    # "0.0.0.0:135", "[::]:7654", "[fe80::1%5]:1900", "*:*" -> address and port (port -1 for '*')
    param([string]$Text)
    $colon = $Text.LastIndexOf(':')
    if ($colon -lt 1) { return $null }
    $address = $Text.Substring(0, $colon).Trim('[', ']')
    $portText = $Text.Substring($colon + 1)
    $port = 0
    if ($portText -eq '*') { $port = -1 } elseif (-not [int]::TryParse($portText, [ref]$port)) { return $null }
    return [pscustomobject]@{ Address = $address; Port = $port }
}

function ConvertFrom-PortTopNetstat {
    # Rows by shape: TCP local foreign state pid (5 fields), UDP local foreign pid (4 fields).
    # Header and localized titles never start with TCP/UDP followed by an address, so they drop out.
    param([string[]]$Lines, [System.Collections.Generic.List[string]]$Warnings)
    $tcp = New-Object System.Collections.Generic.List[object]
    $udp = New-Object System.Collections.Generic.List[object]
    $unknownWords = @{}
    foreach ($line in $Lines) {
        $fields = @(([string]$line).Trim() -split '\s+')
        if ($fields.Count -lt 4) { continue }
        $proto = $fields[0].ToUpperInvariant()
        $processId = 0L
        if (-not [long]::TryParse($fields[$fields.Count - 1], [ref]$processId)) { continue }
        $local = Split-PortTopNetstatAddress $fields[1]
        $remote = Split-PortTopNetstatAddress $fields[2]
        if ($null -eq $local -or $null -eq $remote -or $local.Port -lt 0) { continue }
        if ($proto -eq 'UDP' -and $fields.Count -eq 4) {
            $udp.Add([pscustomobject]@{ family = Get-PortTopFamily $local.Address; localAddress = $local.Address; localPort = $local.Port; pid = $processId })
        }
        elseif ($proto -eq 'TCP' -and $fields.Count -eq 5) {
            $word = $fields[3].ToUpperInvariant()
            $state = $netstatStateWords[$word]
            if (-not $state) {
                # an unknown (localized) word: a peer of port 0 means a listener, owner 0 a TIME_WAIT
                $unknownWords[$word] = $true
                if ($remote.Port -eq 0) { $state = 'LISTEN' } elseif ($processId -eq 0) { $state = 'TIME_WAIT' } else { $state = 'ESTABLISHED' }
            }
            $tcp.Add([pscustomobject]@{
                    family = Get-PortTopFamily $local.Address; localAddress = $local.Address; localPort = $local.Port
                    remoteAddress = $remote.Address; remotePort = [Math]::Max($remote.Port, 0); state = $state; pid = $processId
                })
        }
    }
    if ($unknownWords.Count -gt 0) {
        $Warnings.Add("netstat state words not recognized ($(@($unknownWords.Keys | Sort-Object) -join ', ')): states guessed from the row's shape")
    }
    return , @($tcp.ToArray(), $udp.ToArray())
}

function Read-PortTopNetstatEndpoints {
    param([int[]]$Ports, [System.Collections.Generic.List[string]]$Warnings)
    $ErrorActionPreference = 'Continue' # a native command's stderr must not become a terminating error on 5.1
    $global:LASTEXITCODE = 0
    $lines = @(& netstat -anoq 2>$null | ForEach-Object { [string]$_ })
    $parsed = ConvertFrom-PortTopNetstat -Lines $lines -Warnings $Warnings
    if ($global:LASTEXITCODE -ne 0 -or ($parsed[0].Count + $parsed[1].Count) -eq 0) {
        # -q (BOUND rows) is missing on old Windows
        $global:LASTEXITCODE = 0
        $lines = @(& netstat -ano 2>$null | ForEach-Object { [string]$_ })
        $parsed = ConvertFrom-PortTopNetstat -Lines $lines -Warnings $Warnings
    }
    if ($Ports) {
        $wanted = @{}
        foreach ($p in $Ports) { $wanted[$p] = $true }
        $parsed = @(@($parsed[0] | Where-Object { $wanted.ContainsKey($_.localPort) }), @($parsed[1] | Where-Object { $wanted.ContainsKey($_.localPort) }))
    }
    return , $parsed
}

function Read-PortTopProcesses {
    param([System.Collections.Generic.HashSet[long]]$Owners, [bool]$OwnersOnly)
    $rows = New-Object System.Collections.Generic.List[object]
    $onWindows = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
    $details = @{}
    if ($onWindows -and $Owners.Count -gt 0 -and $Owners.Count -le 200 -and (Get-Command Get-CimInstance -ErrorAction SilentlyContinue)) {
        # command lines and parents of the owners, in one query (Win32_Process is slow per call)
        try {
            $filter = (@($Owners) | ForEach-Object { "ProcessId=$_" }) -join ' OR '
            foreach ($w in @(Get-CimInstance -ClassName Win32_Process -Filter $filter -ErrorAction SilentlyContinue)) {
                $details[[long]$w.ProcessId] = $w
            }
        }
        catch { $details = @{} }
    }
    foreach ($p in @(Get-Process -ErrorAction SilentlyContinue)) {
        $isOwner = $Owners.Contains([long]$p.Id)
        if ($OwnersOnly -and -not $isOwner) { continue }
        # each of these can throw "Access is denied" (protected processes, other users): null then
        $startTime = $null; $handles = $null; $path = $null; $commandLine = $null; $parentId = $null
        try { if ($null -ne $p.StartTime) { $startTime = Format-PortTopTime $p.StartTime } } catch { $startTime = $null }
        # a denied property can also read as $null without throwing: [int]$null would claim 0 handles
        try { $count = $p.HandleCount; if ($null -ne $count) { $handles = [int]$count } } catch { $handles = $null }
        if ($isOwner) {
            try { $path = $p.Path } catch { $path = $null }
            $detail = $details[[long]$p.Id]
            if ($null -ne $detail) {
                $commandLine = $detail.CommandLine
                $parentId = [long]$detail.ParentProcessId
            }
            elseif (-not $onWindows) {
                # not $p.CommandLine: PowerShell 7 reads /proc/<pid>/cmdline by lines and mangles an
                # argument holding a newline
                try { $commandLine = [IO.File]::ReadAllText("/proc/$($p.Id)/cmdline").TrimEnd([char]0).Replace([char]0, ' ') } catch { $commandLine = $null }
                try { if ($null -ne $p.Parent) { $parentId = [long]$p.Parent.Id } } catch { $parentId = $null }
            }
        }
        if ('' -eq $path) { $path = $null }
        if ('' -eq $commandLine) { $commandLine = $null }
        $rows.Add([pscustomobject]@{
                pid         = [long]$p.Id
                name        = [string]$p.ProcessName
                handles     = $handles
                startTime   = $startTime
                path        = $path
                commandLine = $commandLine
                parentPid   = $parentId
            })
    }
    return , $rows.ToArray()
}

try {
    $warnings = New-Object System.Collections.Generic.List[string]
    $onWindows = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
    $haveCmdlets = [bool](Get-Command Get-NetTCPConnection -ErrorAction SilentlyContinue) -and [bool](Get-Command Get-NetUDPEndpoint -ErrorAction SilentlyContinue)
    $useNetstat = $Source -eq 'Netstat' -or ($Source -eq 'Auto' -and -not $haveCmdlets -and $onWindows)
    if (-not $useNetstat -and -not $haveCmdlets) {
        $where = if ($onWindows) { 'this Windows' } else { "PowerShell $($PSVersionTable.PSVersion) on $([Environment]::OSVersion.Platform)" }
        $envelope = [ordered]@{ ok = $false; data = $null; error = [ordered]@{ kind = 'unsupported'; message = "the Windows networking cmdlets (Get-NetTCPConnection, Get-NetUDPEndpoint) are missing in $where; the ps backend needs Windows (8 / Server 2012 or later, or netstat on older Windows): use --backend linux on Linux" } }
        Write-Output (ConvertTo-Json -InputObject $envelope -Compress -Depth 3)
        return
    }
    if ($useNetstat) { $parts = Read-PortTopNetstatEndpoints -Ports $LocalPort -Warnings $warnings }
    else { $parts = Read-PortTopCmdletEndpoints -Ports $LocalPort -Warnings $warnings }
    $owners = New-Object 'System.Collections.Generic.HashSet[long]'
    foreach ($row in @($parts[0]) + @($parts[1])) { if ($null -ne $row -and $row.pid -gt 0) { [void]$owners.Add([long]$row.pid) } }
    $processes = Read-PortTopProcesses -Owners $owners -OwnersOnly ([bool]$LocalPort)
    $sourceName = if ($useNetstat) { 'netstat' } else { 'cmdlets' }
    $data = '{"source":"' + $sourceName + '"' +
    ',"tcp":' + (ConvertTo-PortTopJsonArray $parts[0]) +
    ',"udp":' + (ConvertTo-PortTopJsonArray $parts[1]) +
    ',"processes":' + (ConvertTo-PortTopJsonArray $processes) +
    ',"warnings":' + (ConvertTo-PortTopJsonArray $warnings.ToArray()) + '}'
    Write-Output ('{"ok":true,"data":' + $data + ',"error":null}')
}
catch {
    $envelope = [ordered]@{ ok = $false; data = $null; error = [ordered]@{ kind = 'failed'; message = [string]$_.Exception.Message } }
    Write-Output (ConvertTo-Json -InputObject $envelope -Compress -Depth 3)
}
