<#
.SYNOPSIS
    Test script: sleeps (a hung call), then answers.
#>
[CmdletBinding()]
param([int]$Seconds = 300)
Start-Sleep -Seconds $Seconds
Write-Output ('{"ok":true,"data":{"slept":' + $Seconds + '},"error":null}')
