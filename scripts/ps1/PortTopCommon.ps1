<#
.SYNOPSIS
    Functions every porttop script shares: the error envelope, netsh, time format, ASCII-only JSON,
    the compiled IP Helper type (cached on disk) and the parent watch.

.DESCRIPTION
    Not a command of its own. porttop's PowerShell session dot-sources this file once at start-up;
    each script run on its own from a prompt dot-sources it from its own folder when these functions
    are missing. Written for Windows PowerShell 5.1 and PowerShell 7, Constrained Language included
    (where Add-Type is refused, Import-PortTopIpHelper says so and the callers use the cmdlets).

.EXAMPLE
    . .\PortTopCommon.ps1; Import-PortTopIpHelper; [PortTop.IpHelperNative]::Fetch($true, 2).Length
#>

function ConvertTo-PortTopAscii {
    # Every character outside ASCII becomes \uXXXX (a UTF-16 unit, so an emoji is two). JSON syntax
    # is ASCII, so such a character can only be inside a string, where \uXXXX means the same. The
    # result is the same bytes in any console code page (Windows PowerShell 5.1 may keep the OEM one).
    param([string]$Json)
    if ($null -eq $Json -or $Json -notmatch '[^\x00-\x7F]') { return $Json }
    try {
        return [regex]::Replace($Json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    }
    catch {
        # Constrained Language may refuse the script block as a delegate: the slow way then
        $out = New-Object System.Text.StringBuilder
        foreach ($c in $Json.ToCharArray()) {
            if ([int]$c -gt 0x7F) { [void]$out.Append(('\u{0:x4}' -f [int]$c)) } else { [void]$out.Append($c) }
        }
        return $out.ToString()
    }
}

function Write-PortTopJson {
    # the one way a script prints its envelope: one line, ASCII only
    param([string]$Json)
    Write-Output (ConvertTo-PortTopAscii $Json)
}

function Write-PortTopError {
    param([string]$Kind, [string]$Message)
    $envelope = [ordered]@{ ok = $false; data = $null; error = [ordered]@{ kind = $Kind; message = $Message } }
    Write-PortTopJson (ConvertTo-Json -InputObject $envelope -Compress -Depth 3)
}

function Invoke-PortTopNetsh {
    param([string[]]$Arguments)
    # a native command's stderr must not become a terminating error on Windows PowerShell 5.1
    $ErrorActionPreference = 'Continue'
    $global:LASTEXITCODE = 0
    $lines = @(& netsh @Arguments 2>&1 | ForEach-Object { [string]$_ })
    return [pscustomobject]@{ Lines = $lines; ExitCode = [int]$global:LASTEXITCODE }
}

function Format-PortTopTime {
    # the same text JavaScript's toISOString() gives, so a kill can compare start times exactly
    param([datetime]$Time)
    return $Time.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

function Test-PortTopWindows {
    return ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows)
}

function Get-PortTopScriptsDir {
    if ($global:PortTopScriptsDir) { return $global:PortTopScriptsDir }
    return $PSScriptRoot
}

function Get-PortTopCacheDir {
    # PORTTOP_CACHE_DIR, else the user's cache folder: %LOCALAPPDATA%\porttop or ~/.cache/porttop
    if ($env:PORTTOP_CACHE_DIR) { return $env:PORTTOP_CACHE_DIR }
    if ((Test-PortTopWindows) -and $env:LOCALAPPDATA) { return (Join-Path $env:LOCALAPPDATA 'porttop') }
    if ($env:XDG_CACHE_HOME) { return (Join-Path $env:XDG_CACHE_HOME 'porttop') }
    return (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.cache/porttop')
}

function Import-PortTopIpHelper {
    # Loads the PortTop.IpHelper* types: from the on-disk cache when an assembly compiled from this
    # very source by this PowerShell edition and version is there, else compiled (and cached,
    # written under a temporary name and renamed, so a reader never sees half a file).
    # Returns $null when the types are loaded, else the reason they are not.
    if ('PortTop.IpHelperTable' -as [type]) { return $null }
    if ($global:PortTopIpHelperUnavailable) { return $global:PortTopIpHelperUnavailable }
    $mode = [string]$ExecutionContext.SessionState.LanguageMode
    if ($mode -ne 'FullLanguage') {
        $global:PortTopIpHelperUnavailable = "PowerShell runs in $mode mode, where Add-Type is refused"
        return $global:PortTopIpHelperUnavailable
    }
    try {
        $source = [IO.File]::ReadAllText((Join-Path (Get-PortTopScriptsDir) 'PortTopIpHelper.cs'))
        $sha = [Security.Cryptography.SHA256]::Create()
        $keyText = "$source|$($PSVersionTable.PSEdition)|$($PSVersionTable.PSVersion)|$([Environment]::Version)"
        $hash = [BitConverter]::ToString($sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($keyText)), 0, 10).Replace("-", "").ToLowerInvariant()
        $cacheDir = Get-PortTopCacheDir
        $dll = Join-Path $cacheDir "PortTopIpHelper-$hash.dll"
        $global:PortTopIpHelperCache = 'compiled'
        if (Test-Path -LiteralPath $dll) {
            try {
                [void][Reflection.Assembly]::LoadFrom($dll)
                if ('PortTop.IpHelperTable' -as [type]) { $global:PortTopIpHelperCache = 'cached'; return $null }
            }
            catch { } # a damaged file: compile again (over it)
        }
        try {
            [void](New-Item -ItemType Directory -Force -Path $cacheDir)
            $temporary = Join-Path $cacheDir ("PortTopIpHelper-$hash.$PID." + [guid]::NewGuid().ToString('N') + '.tmp')
            Add-Type -TypeDefinition $source -Language CSharp -OutputAssembly $temporary -OutputType Library -ErrorAction Stop
            try { [IO.File]::Move($temporary, $dll) } catch { Remove-Item -LiteralPath $temporary -Force -ErrorAction SilentlyContinue } # another porttop was first
            if (-not ('PortTop.IpHelperTable' -as [type])) { [void][Reflection.Assembly]::LoadFrom($dll) }
        }
        catch {
            # no writable cache folder: compile in memory
            if (-not ('PortTop.IpHelperTable' -as [type])) { Add-Type -TypeDefinition $source -Language CSharp -ErrorAction Stop; $global:PortTopIpHelperCache = 'in-memory' }
        }
        if ('PortTop.IpHelperTable' -as [type]) { return $null }
        $global:PortTopIpHelperUnavailable = 'the IP Helper type did not load'
    }
    catch {
        $global:PortTopIpHelperUnavailable = "the IP Helper type could not be compiled: $($_.Exception.Message)"
    }
    return $global:PortTopIpHelperUnavailable
}

function Start-PortTopParentWatch {
    # Ends this PowerShell within a second or so of porttop's end, however porttop ended (SIGKILL
    # included, where porttop cannot clean up): a second runspace polls the parent's PID and start time.
    param([int]$ParentId)
    if ($ParentId -le 0) { return }
    try {
        $parent = [Diagnostics.Process]::GetProcessById($ParentId)
        $started = $parent.StartTime
        $watch = [powershell]::Create()
        [void]$watch.AddScript({
                param($Id, $Started)
                while ($true) {
                    Start-Sleep -Milliseconds 500
                    $alive = $false
                    try {
                        $p = [Diagnostics.Process]::GetProcessById($Id)
                        $alive = -not $p.HasExited -and $p.StartTime -eq $Started
                        # on Linux an unreaped parent is a zombie: dead all the same
                        if ($alive -and (Test-Path -LiteralPath "/proc/$Id/stat")) {
                            $stat = [IO.File]::ReadAllText("/proc/$Id/stat")
                            $alive = $stat.Substring($stat.LastIndexOf(') ') + 2, 1) -ne 'Z'
                        }
                    }
                    catch { $alive = $false }
                    if (-not $alive) { [Environment]::Exit(0) }
                }
            }).AddArgument($ParentId).AddArgument($started)
        $global:PortTopParentWatch = @{ Shell = $watch; Handle = $watch.BeginInvoke() }
    }
    catch { } # Constrained Language or no such parent: porttop's own exit handlers still kill us
}
