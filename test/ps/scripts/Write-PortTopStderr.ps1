<#
.SYNOPSIS
    Test script: an error record that escapes the script (written to the error stream, not caught),
    then a valid envelope, or none with -NoEnvelope.
#>
[CmdletBinding()]
param([switch]$NoEnvelope)
Write-Error 'escaped error record'
if (-not $NoEnvelope) { Write-Output '{"ok":true,"data":{"answer":42},"error":null}' }
