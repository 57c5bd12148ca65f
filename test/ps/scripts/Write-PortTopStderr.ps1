<#
.SYNOPSIS
    Test script: an error record that escapes the script (written to the error stream, not caught).
#>
[CmdletBinding()]
param()
Write-Error 'escaped error record'
Write-Output '{"ok":true,"data":null,"error":null}'
