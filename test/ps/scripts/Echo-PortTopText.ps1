<#
.SYNOPSIS
    Test script: echoes its parameters back in an envelope, with the PowerShell PID.
#>
[CmdletBinding()]
param([string]$Text = '', [long]$Number = 0, [string[]]$Words = @())
$data = [ordered]@{ text = $Text; length = $Text.Length; number = $Number; words = @($Words); pid = $PID }
Write-Output ('{"ok":true,"data":' + (ConvertTo-Json -InputObject $data -Compress -Depth 3) + ',"error":null}')
