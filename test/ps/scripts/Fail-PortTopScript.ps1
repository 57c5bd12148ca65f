<#
.SYNOPSIS
    Test script: a PowerShell exception caught and reported in the envelope, as the real scripts do.
#>
[CmdletBinding()]
param([string]$Message = 'boom')
$ErrorActionPreference = 'Stop'
try {
    Get-Item -LiteralPath "/porttop/does/not/exist/$Message"
}
catch {
    $envelope = [ordered]@{ ok = $false; data = $null; error = [ordered]@{ kind = 'failed'; message = [string]$_.Exception.Message } }
    Write-Output (ConvertTo-Json -InputObject $envelope -Compress -Depth 3)
}
