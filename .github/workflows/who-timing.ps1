# Prints the wall time of `porttop who <port>` cold (first run: PowerShell start, the IP Helper type
# compiled and cached) and warm (the next run: the cached assembly loaded), for the PowerShell that
# PORTTOP_PWSH names (else pwsh). Run from the repository root after `npm ci`.
$ErrorActionPreference = 'Stop'
$cache = Join-Path $env:LOCALAPPDATA 'porttop'
if (Test-Path $cache) { Remove-Item -Recurse -Force $cache }
$listener = Start-Process -PassThru -NoNewWindow node -ArgumentList @('-e', "require('net').createServer().listen(47123, '127.0.0.1')")
try {
    Start-Sleep -Seconds 2
    $edition = if ($env:PORTTOP_PWSH) { $env:PORTTOP_PWSH } else { 'pwsh' }
    foreach ($run in 'cold', 'warm', 'warm') {
        $output = $null
        $time = Measure-Command { $script:output = & node bin/porttop.js who 47123 2>&1 | Out-String }
        "porttop who 47123 ($edition, $run): $([int]$time.TotalMilliseconds) ms, exit $LASTEXITCODE"
        if ($run -eq 'cold') { $script:output }
    }
    Get-ChildItem $cache -ErrorAction SilentlyContinue | ForEach-Object { "cached: $($_.Name) ($($_.Length) bytes)" }
}
finally {
    Stop-Process -Id $listener.Id -Force -ErrorAction SilentlyContinue
}
