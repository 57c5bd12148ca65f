<#
.SYNOPSIS
    Every TCP and UDP endpoint of this machine with the process that owns it, as one JSON envelope.

.DESCRIPTION
    Takes the process list (with start times) first, then the connection tables, so an owner whose
    PID was reused while the tables were read can be told apart (porttop issue 8).

    The tables come from the IP Helper API (GetExtendedTcpTable / GetExtendedUdpTable through the
    compiled type in PortTopIpHelper.cs, cached on disk per source and PowerShell version), which
    takes milliseconds for tens of thousands of rows. BOUND sockets are not in those tables: they
    come from Get-NetTCPConnection -State Bound, read at most every 30 s on a full snapshot when that
    query is slow (a warning says how old they are). Where Add-Type or the native call is not
    available (Constrained Language, an old Windows, PowerShell off Windows), the script falls back
    to Get-NetTCPConnection / Get-NetUDPEndpoint (module NetTCPIP), and where NetTCPIP is missing on
    Windows (Windows 7 / Server 2008 R2) to `netstat -anoq`, classifying rows by shape and position.

    Prints one line of compact, ASCII-only JSON (non-ASCII characters as \uXXXX):
    {"ok":true,"data":{...},"error":null}, or {"ok":false,"data":null,"error":{"kind":"...","message":"..."}}.
    data holds: source ("iphelper", "cmdlets" or "netstat"); tcp and udp rows, either objects
    (localAddress, localPort, remoteAddress, remotePort, state, pid, family) or, from the IP Helper,
    arrays [localAddress, localPort, remoteAddress, remotePort, state, pid] (TCP) and
    [localAddress, localPort, pid] (UDP); processes of the owners (pid, name, handles, startTime as
    ISO 8601 UTC, path, commandLine, parentPid, parentChain [{pid, name}], services [{name,
    displayName, state, acceptStop}]; null where access is denied); warnings.

    TCP states are netstat's upper-case names: LISTEN, ESTABLISHED, TIME_WAIT, BOUND (State 100) ...
    TIME_WAIT rows report PID 0: Windows keeps no owner for them.

.PARAMETER LocalPort
    Only endpoints on these local ports (and only their owners among the processes).

.PARAMETER Source
    Auto (default): the IP Helper API, else the NetTCPIP cmdlets, else netstat on Windows.
    IpHelper, Cmdlets or Netstat force one.

.PARAMETER AncestorsOf
    Also list this process's ancestors, nearest first, as data.ancestors (porttop passes its own
    PID: it never stops the shell or script it runs in).

.EXAMPLE
    .\Get-PortTopSnapshot.ps1 -LocalPort 8080 | ConvertFrom-Json | Select-Object -ExpandProperty data

.EXAMPLE
    (.\Get-PortTopSnapshot.ps1 -Source Cmdlets | ConvertFrom-Json).data.tcp | Group-Object state | Sort-Object Count
#>
[CmdletBinding()]
param(
    [int[]]$LocalPort,
    [ValidateSet('Auto', 'IpHelper', 'Cmdlets', 'Netstat')]
    [string]$Source = 'Auto',
    [long]$AncestorsOf = 0
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $false
if (-not (Get-Command Write-PortTopJson -CommandType Function -ErrorAction SilentlyContinue)) { . (Join-Path $PSScriptRoot 'PortTopCommon.ps1') }

# On a full snapshot, BOUND rows older than this are read again; younger ones are reused only when
# the query was slow (Get-NetTCPConnection -State Bound is a CIM query: seconds on a busy server).
$boundMaxAgeSeconds = 30
$boundSlowMilliseconds = 300
# how many ancestors parentChain lists
$parentChainDepth = 4
# services of a host are asked again after this long (a service can stop while its host lives on)
$serviceCacheSeconds = 60

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
    param([object[]]$Items, [int]$Depth = 4)
    # -InputObject keeps a one-element array an array (piping would unwrap it) on 5.1 and 7
    if ($null -eq $Items -or $Items.Count -eq 0) { return '[]' }
    $json = ConvertTo-Json -InputObject $Items -Compress -Depth $Depth
    if (-not $json.StartsWith('[')) { $json = '[' + $json + ']' }
    return $json
}

function Get-PortTopFamily {
    param([string]$Address)
    if ($Address.Contains(':')) { 'ipv6' } else { 'ipv4' }
}

function Read-PortTopProcessList {
    # PID -> @{ Process; Start (datetime or $null) }, taken before any table
    $list = @{}
    foreach ($p in @(Get-Process -ErrorAction SilentlyContinue)) {
        $start = $null
        try { $start = $p.StartTime } catch { $start = $null }
        $list[[long]$p.Id] = @{ Process = $p; Start = $start }
    }
    return $list
}

function Test-PortTopReused {
    # true when the process now holding this PID started after the connection was created:
    # the connection belonged to an earlier process with the same PID
    param($Entry, $CreationTime)
    if ($null -eq $Entry -or $null -eq $Entry.Start -or $null -eq $CreationTime) { return $false }
    try { return ([datetime]$Entry.Start - [datetime]$CreationTime).TotalMilliseconds -gt 1 } catch { return $false }
}

function Read-PortTopCmdletEndpoints {
    param([int[]]$Ports, [hashtable]$Before, [System.Collections.Generic.List[string]]$Warnings)
    $tcpArgs = @{ ErrorAction = 'SilentlyContinue' }
    $udpArgs = @{ ErrorAction = 'SilentlyContinue' }
    if ($Ports) { $tcpArgs.LocalPort = $Ports; $udpArgs.LocalPort = $Ports }
    # with no match these cmdlets write an error instead of returning nothing: silence it
    $tcp = New-Object System.Collections.Generic.List[object]
    $reused = New-Object System.Collections.Generic.List[string]
    foreach ($c in @(Get-NetTCPConnection @tcpArgs)) {
        if ($null -eq $c) { continue }
        $stateText = [string]$c.State
        $state = $tcpStateNames[$stateText]
        if (-not $state) {
            try { $state = $tcpStateNames[[string][int]$c.State] } catch { $state = $null }
        }
        if (-not $state) { $Warnings.Add("unknown TCP state '$stateText' on local port $($c.LocalPort): row left out"); continue }
        $local = [string]$c.LocalAddress
        $owner = [long]$c.OwningProcess
        if ($owner -gt 0) {
            # inline (no function call per row): the PID's process started after this connection was made
            $entry = $Before[$owner]
            if ($null -ne $entry -and $null -ne $entry.Start -and $null -ne $c.CreationTime -and ($entry.Start - $c.CreationTime).TotalMilliseconds -gt 1) { $reused.Add("$owner (port $($c.LocalPort))"); $owner = 0 }
        }
        $tcp.Add([pscustomobject]@{
                family        = if ($local.Contains(':')) { 'ipv6' } else { 'ipv4' }
                localAddress  = $local
                localPort     = [int]$c.LocalPort
                remoteAddress = [string]$c.RemoteAddress
                remotePort    = [int]$c.RemotePort
                state         = $state
                pid           = $owner
            })
    }
    $udp = New-Object System.Collections.Generic.List[object]
    foreach ($u in @(Get-NetUDPEndpoint @udpArgs)) {
        if ($null -eq $u) { continue }
        $local = [string]$u.LocalAddress
        $owner = [long]$u.OwningProcess
        if ($owner -gt 0) {
            $entry = $Before[$owner]
            if ($null -ne $entry -and $null -ne $entry.Start -and $null -ne $u.CreationTime -and ($entry.Start - $u.CreationTime).TotalMilliseconds -gt 1) { $reused.Add("$owner (port $($u.LocalPort))"); $owner = 0 }
        }
        $udp.Add([pscustomobject]@{
                family       = if ($local.Contains(':')) { 'ipv6' } else { 'ipv4' }
                localAddress = $local
                localPort    = [int]$u.LocalPort
                pid          = $owner
            })
    }
    if ($reused.Count -gt 0) { $Warnings.Add("PID reused: the process now holding PID $(@($reused) -join ', ') started after the socket was created; owner left unknown") }
    return , @((ConvertTo-PortTopJsonArray $tcp.ToArray()), (ConvertTo-PortTopJsonArray $udp.ToArray()))
}

function Read-PortTopBoundRows {
    # BOUND sockets (bound, never connected or listening) are not in the IP Helper tables. Rows as
    # the IP Helper ones (arrays), joined to them. Full snapshots reuse a slow answer for a while.
    param([int[]]$Ports, [hashtable]$Before, [System.Collections.Generic.List[string]]$Warnings, [System.Collections.Generic.HashSet[long]]$Owners)
    if (-not (Get-Command Get-NetTCPConnection -ErrorAction SilentlyContinue)) {
        if (Test-PortTopWindows) { $Warnings.Add('BOUND sockets not listed: Get-NetTCPConnection (module NetTCPIP) is missing') }
        return ''
    }
    $cache = $global:PortTopBoundCache
    $now = [DateTime]::UtcNow
    $rows = $null
    if (-not $Ports -and $null -ne $cache -and $cache.Slow -and ($now - $cache.At).TotalSeconds -lt $boundMaxAgeSeconds) {
        $rows = $cache.Rows
        $Warnings.Add("BOUND sockets as of $([int]($now - $cache.At).TotalSeconds) s ago (Get-NetTCPConnection -State Bound took $($cache.Milliseconds) ms: read every $boundMaxAgeSeconds s)")
    }
    else {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $query = @{ State = 'Bound'; ErrorAction = 'SilentlyContinue' }
        if ($Ports) { $query.LocalPort = $Ports }
        $rows = @(Get-NetTCPConnection @query | Where-Object { $null -ne $_ } | ForEach-Object {
                @{ Local = [string]$_.LocalAddress; Port = [int]$_.LocalPort; Remote = [string]$_.RemoteAddress; RemotePort = [int]$_.RemotePort; Pid = [long]$_.OwningProcess; Created = $_.CreationTime }
            })
        $elapsed = [int]$watch.ElapsedMilliseconds
        if (-not $Ports) { $global:PortTopBoundCache = @{ At = $now; Rows = $rows; Slow = $elapsed -gt $boundSlowMilliseconds; Milliseconds = $elapsed } }
    }
    $parts = New-Object System.Collections.Generic.List[string]
    foreach ($r in $rows) {
        $owner = $r.Pid
        if ($owner -gt 0 -and (Test-PortTopReused $Before[$owner] $r.Created)) { $Warnings.Add("PID reused: the process now holding PID $owner started after the BOUND socket on port $($r.Port) was created; owner left unknown"); $owner = 0 }
        if ($owner -gt 0) { [void]$Owners.Add($owner) }
        $parts.Add('[' + (ConvertTo-Json -InputObject $r.Local -Compress) + ',' + $r.Port + ',' + (ConvertTo-Json -InputObject $r.Remote -Compress) + ',' + $r.RemotePort + ',"BOUND",' + $owner + ']')
    }
    return ($parts -join ',')
}

function Read-PortTopIpHelperEndpoints {
    # The four tables through GetExtended*Table: rows straight from C# into JSON, no per-row PowerShell.
    param([int[]]$Ports, [hashtable]$Before, [System.Collections.Generic.List[string]]$Warnings)
    $owners = New-Object 'System.Collections.Generic.HashSet[long]'
    $portArray = [int[]]@()
    if ($Ports) { $portArray = [int[]]$Ports }
    $tcp4 = [PortTop.IpHelperNative]::Fetch($true, 2)
    $tcp6 = [PortTop.IpHelperNative]::Fetch($true, 23)
    $udp4 = [PortTop.IpHelperNative]::Fetch($false, 2)
    $udp6 = [PortTop.IpHelperNative]::Fetch($false, 23)
    $tcpParts = @([PortTop.IpHelperTable]::TcpJson($tcp4, $false, $portArray, $owners), [PortTop.IpHelperTable]::TcpJson($tcp6, $true, $portArray, $owners))
    $udpParts = @([PortTop.IpHelperTable]::UdpJson($udp4, $false, $portArray, $owners), [PortTop.IpHelperTable]::UdpJson($udp6, $true, $portArray, $owners))
    $bound = Read-PortTopBoundRows -Ports $Ports -Before $Before -Warnings $Warnings -Owners $owners
    $tcpJson = '[' + ((@($tcpParts) + @($bound) | Where-Object { $_ }) -join ',') + ']'
    $udpJson = '[' + ((@($udpParts) | Where-Object { $_ }) -join ',') + ']'
    return , @($tcpJson, $udpJson, $owners)
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

function Read-PortTopProcessDetails {
    # command line and parent of every process, cached per (PID, start time): a process's command
    # line and parent never change, so Win32_Process is asked only when a new process appears
    param([hashtable]$Before, [long[]]$Wanted)
    if ($null -eq $global:PortTopProcessCache) { $global:PortTopProcessCache = @{} }
    $cache = $global:PortTopProcessCache
    if ($cache.Count -gt 2 * $Before.Count + 100) {
        # processes come and go on a busy server: keep only those that still run
        foreach ($key in @($cache.Keys)) {
            $id = [long]$key.Substring(0, $key.IndexOf('|'))
            if ($null -eq $Before[$id] -or $key -ne "$id|$($Before[$id].Start)") { $cache.Remove($key) }
        }
    }
    $missing = @($Wanted | Where-Object { $null -ne $Before[$_] -and -not $cache.ContainsKey("$_|$($Before[$_].Start)") })
    if ($missing.Count -eq 0) { return }
    $onWindows = Test-PortTopWindows
    if (Get-Command Get-CimInstance -ErrorAction SilentlyContinue) {
        try {
            foreach ($w in @(Get-CimInstance -ClassName Win32_Process -Property ProcessId, ParentProcessId, CommandLine -ErrorAction SilentlyContinue)) {
                if ($null -eq $w) { continue }
                $id = [long]$w.ProcessId
                if ($null -eq $Before[$id]) { continue }
                $cache["$id|$($Before[$id].Start)"] = @{ CommandLine = [string]$w.CommandLine; ParentId = [long]$w.ParentProcessId }
            }
        }
        catch { }
    }
    if (-not $onWindows) {
        foreach ($id in $missing) {
            $key = "$id|$($Before[$id].Start)"
            if ($cache.ContainsKey($key)) { continue }
            # not $p.CommandLine: PowerShell 7 reads /proc/<pid>/cmdline by lines and mangles an
            # argument holding a newline
            $commandLine = $null; $parentId = $null
            try { $commandLine = [IO.File]::ReadAllText("/proc/$id/cmdline").TrimEnd([char]0).Replace([char]0, ' ') } catch { }
            try { $stat = [IO.File]::ReadAllText("/proc/$id/stat"); $parentId = [long](($stat.Substring($stat.LastIndexOf(') ') + 2) -split ' ')[1]) } catch { }
            $cache[$key] = @{ CommandLine = $commandLine; ParentId = $parentId }
        }
    }
}

function Read-PortTopServices {
    # Windows services by hosting PID (Win32_Service), asked again after $serviceCacheSeconds
    $cache = $global:PortTopServiceCache
    $now = [DateTime]::UtcNow
    if ($null -ne $cache -and ($now - $cache.At).TotalSeconds -lt $serviceCacheSeconds) { return $cache.ByPid }
    $byPid = @{}
    if (Get-Command Get-CimInstance -ErrorAction SilentlyContinue) {
        try {
            foreach ($s in @(Get-CimInstance -ClassName Win32_Service -Property Name, DisplayName, State, AcceptStop, ProcessId -ErrorAction SilentlyContinue)) {
                if ($null -eq $s -or [long]$s.ProcessId -le 0) { continue }
                $id = [long]$s.ProcessId
                if (-not $byPid.ContainsKey($id)) { $byPid[$id] = New-Object System.Collections.Generic.List[object] }
                $acceptStop = $null
                if ($null -ne $s.AcceptStop) { $acceptStop = [bool]$s.AcceptStop }
                $byPid[$id].Add([ordered]@{ name = [string]$s.Name; displayName = [string]$s.DisplayName; state = [string]$s.State; acceptStop = $acceptStop })
            }
        }
        catch { }
    }
    $global:PortTopServiceCache = @{ At = $now; ByPid = $byPid }
    return $byPid
}

function Get-PortTopAncestors {
    # PIDs above this one, nearest first; stops at a parent that started after its child (reused PID)
    param([long]$Id, [hashtable]$Before)
    $found = New-Object System.Collections.Generic.List[long]
    Read-PortTopProcessDetails -Before $Before -Wanted @($Id)
    $details = $global:PortTopProcessCache
    if ($null -eq $details -or $null -eq $Before[$Id]) { return , $found.ToArray() }
    $child = $Before[$Id]
    $detail = $details["$Id|$($child.Start)"]
    while ($null -ne $detail -and $detail.ParentId -gt 0 -and $found.Count -lt 32 -and -not $found.Contains([long]$detail.ParentId)) {
        $parentId = [long]$detail.ParentId
        $parent = $Before[$parentId]
        if ($null -eq $parent) { break }
        if ($null -ne $parent.Start -and $null -ne $child.Start -and $parent.Start -gt $child.Start) { break }
        $found.Add($parentId)
        if (-not $details.ContainsKey("$parentId|$($parent.Start)")) { Read-PortTopProcessDetails -Before $Before -Wanted @($parentId) }
        $detail = $details["$parentId|$($parent.Start)"]
        $child = $parent
    }
    return , $found.ToArray()
}

function Read-PortTopProcesses {
    # The owners only: name and start time from the list taken before the tables, the rest now
    param([System.Collections.Generic.HashSet[long]]$Owners, [hashtable]$Before)
    $rows = New-Object System.Collections.Generic.List[object]
    if ($Owners.Count -eq 0) { return , $rows.ToArray() }
    $ownerIds = [long[]]@($Owners)
    Read-PortTopProcessDetails -Before $Before -Wanted $ownerIds
    $details = $global:PortTopProcessCache
    if ($null -eq $details) { $details = @{} }
    $services = Read-PortTopServices
    foreach ($id in $ownerIds) {
        $entry = $Before[$id]
        if ($null -eq $entry) { continue } # started while the tables were read: named on the next look
        $p = $entry.Process
        $startTime = $null; $handles = $null; $path = $null; $commandLine = $null; $parentId = $null
        if ($null -ne $entry.Start) { $startTime = Format-PortTopTime $entry.Start }
        # a denied property can also read as $null without throwing: [int]$null would claim 0 handles
        try { $count = $p.HandleCount; if ($null -ne $count) { $handles = [int]$count } } catch { $handles = $null }
        try { $path = $p.Path } catch { $path = $null }
        $detail = $details["$id|$($entry.Start)"]
        if ($null -ne $detail) { $commandLine = $detail.CommandLine; $parentId = $detail.ParentId }
        # ancestors, nearest first; a parent that started after its child is a reused PID: stop there
        $chain = New-Object System.Collections.Generic.List[object]
        $childStart = $entry.Start
        $ancestor = $parentId
        $seen = @{ $id = $true }
        while ($null -ne $ancestor -and $ancestor -gt 0 -and $chain.Count -lt $parentChainDepth -and -not $seen.ContainsKey($ancestor)) {
            $seen[$ancestor] = $true
            $a = $Before[$ancestor]
            if ($null -eq $a) { break }
            if ($null -ne $a.Start -and $null -ne $childStart -and $a.Start -gt $childStart) { break }
            $chain.Add([ordered]@{ pid = $ancestor; name = [string]$a.Process.ProcessName })
            $up = $details["$ancestor|$($a.Start)"]
            if ($null -eq $up) { break }
            $childStart = $a.Start
            $ancestor = $up.ParentId
        }
        $hosted = @()
        if ($services.ContainsKey($id)) { $hosted = @($services[$id].ToArray()) }
        if ('' -eq $path) { $path = $null }
        if ('' -eq $commandLine) { $commandLine = $null }
        $rows.Add([ordered]@{
                pid         = $id
                name        = [string]$p.ProcessName
                handles     = $handles
                startTime   = $startTime
                path        = $path
                commandLine = $commandLine
                parentPid   = $parentId
                parentChain = [object[]]$chain.ToArray()
                services    = [object[]]$hosted
            })
    }
    return , $rows.ToArray()
}

try {
    $warnings = New-Object System.Collections.Generic.List[string]
    $onWindows = Test-PortTopWindows
    # the process list first: an owner PID reused while the tables are read is then recognized
    $before = Read-PortTopProcessList
    $sourceName = $null
    $helperLoad = $null
    $tcpJson = $null; $udpJson = $null
    $owners = New-Object 'System.Collections.Generic.HashSet[long]'
    if ($Source -eq 'Auto' -or $Source -eq 'IpHelper') {
        $reason = Import-PortTopIpHelper
        if ($null -eq $reason) {
            try {
                $parts = Read-PortTopIpHelperEndpoints -Ports $LocalPort -Before $before -Warnings $warnings
                $tcpJson = $parts[0]; $udpJson = $parts[1]; $owners = $parts[2]
                $sourceName = 'iphelper'
                # how the helper type came in this time: compiled, cached (loaded from disk), in-memory
                if ($global:PortTopIpHelperCache) { $helperLoad = $global:PortTopIpHelperCache; $global:PortTopIpHelperCache = $null }
            }
            catch {
                $inner = $_.Exception
                while ($null -ne $inner.InnerException) { $inner = $inner.InnerException }
                $reason = "the IP Helper call failed ($($inner.GetType().Name): $($inner.Message))"
                # no iphlpapi.dll (PowerShell off Windows) will not change during this session
                if ($inner -is [DllNotFoundException] -or $inner -is [EntryPointNotFoundException]) { $global:PortTopIpHelperUnavailable = $reason }
            }
        }
        if ($null -eq $sourceName) {
            if ($Source -eq 'IpHelper') { Write-PortTopError 'unsupported' "the IP Helper path is not available: $reason"; return }
            # off Windows a missing iphlpapi.dll is expected; anything else is worth saying
            if ($onWindows -or $reason -notmatch 'DllNotFoundException|Add-Type is refused') { $warnings.Add("read through Get-NetTCPConnection (slower): $reason") }
        }
    }
    if ($null -eq $sourceName) {
        $haveCmdlets = [bool](Get-Command Get-NetTCPConnection -ErrorAction SilentlyContinue) -and [bool](Get-Command Get-NetUDPEndpoint -ErrorAction SilentlyContinue)
        $useNetstat = $Source -eq 'Netstat' -or ($Source -eq 'Auto' -and -not $haveCmdlets -and $onWindows)
        if (-not $useNetstat -and -not $haveCmdlets) {
            $where = if ($onWindows) { 'this Windows' } else { "PowerShell $($PSVersionTable.PSVersion) on $([Environment]::OSVersion.Platform)" }
            Write-PortTopError 'unsupported' "the Windows networking cmdlets (Get-NetTCPConnection, Get-NetUDPEndpoint) are missing in $where; the ps backend needs Windows (8 / Server 2012 or later, or netstat on older Windows): use --backend linux on Linux"
            return
        }
        if ($useNetstat) {
            $parsed = Read-PortTopNetstatEndpoints -Ports $LocalPort -Warnings $warnings
            $tcpJson = ConvertTo-PortTopJsonArray $parsed[0]; $udpJson = ConvertTo-PortTopJsonArray $parsed[1]
            foreach ($row in @($parsed[0]) + @($parsed[1])) { if ($null -ne $row -and $row.pid -gt 0) { [void]$owners.Add([long]$row.pid) } }
            $sourceName = 'netstat'
        }
        else {
            $parts = Read-PortTopCmdletEndpoints -Ports $LocalPort -Before $before -Warnings $warnings
            $tcpJson = $parts[0]; $udpJson = $parts[1]
            # owners from the JSON just made: cheaper than a second pass over the row objects
            foreach ($m in [regex]::Matches($tcpJson + $udpJson, '"pid":(\d+)')) { $o = [long]$m.Groups[1].Value; if ($o -gt 0) { [void]$owners.Add($o) } }
            $sourceName = 'cmdlets'
        }
    }
    $processes = Read-PortTopProcesses -Owners $owners -Before $before
    $ancestorsJson = ''
    if ($AncestorsOf -gt 0) { $ancestorsJson = ',"ancestors":[' + ((Get-PortTopAncestors -Id $AncestorsOf -Before $before) -join ',') + ']' }
    # one concatenation: the table parts can be megabytes, each + would copy them again
    $loaded = if ($helperLoad) { ',"ipHelperLoad":"' + $helperLoad + '"' } else { '' }
    Write-PortTopJson (-join @(
            '{"ok":true,"data":{"source":"', $sourceName, '"', $loaded,
            ',"tcp":', $tcpJson, ',"udp":', $udpJson,
            ',"processes":', (ConvertTo-PortTopJsonArray $processes 5),
            ',"warnings":', (ConvertTo-PortTopJsonArray $warnings.ToArray()), $ancestorsJson, '},"error":null}'))
}
catch {
    Write-PortTopError 'failed' ([string]$_.Exception.Message)
}
