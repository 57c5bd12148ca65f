#!/usr/bin/env bash
# The Windows test bed: the Windows build of PowerShell 7 under Debian's Wine, with a Windows .NET
# runtime from NuGet (recipe: ../shared/reference/windows-under-wine.md). Everything lands in one
# cache folder that later runs reuse; running it again is a no-op, and two runs at once take turns
# (flock). Prints the cache folder's pwsh.exe on the last line.
#
#   test/wine/setup.sh            # install what is missing (Debian's wine needs root), then set up
#   PORTTOP_WINE_CACHE=/some/dir  # another cache folder (default ~/.cache/porttop-wine)
set -euo pipefail

PWSH_VERSION=7.6.9
DOTNET_VERSION=10.0.12
# bump when the layout of the cache changes, so old caches are rebuilt instead of half-used
BED_FORMAT=1
STAMP_TEXT="format=$BED_FORMAT pwsh=$PWSH_VERSION dotnet=$DOTNET_VERSION"

CACHE=${PORTTOP_WINE_CACHE:-$HOME/.cache/porttop-wine}
export WINEPREFIX=$CACHE/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mshtml="   # never disable mscoree: IL-only DLLs need it
# .NET's W^X double mapping breaks under Wine 8: pwsh then dies at random ("Internal CLR error
# (0x80131506)" in DynamicResolver+DestroyScout.Finalize); test/helpers/wine.ts sets the same
export DOTNET_EnableWriteXorExecute=0
PWSH_EXE=$CACHE/pwsh-win/pwsh.exe
say() { printf 'setup-wine: %s\n' "$*" >&2; }

# Debian's packages (only when missing; apt-get needs root)
if ! command -v wine >/dev/null 2>&1 || ! command -v wineserver >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    say "wine is missing: run as root (apt-get install wine wine64 libwine fonts-wine)"; exit 3
  fi
  say "installing Debian's wine"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 libwine fonts-wine >/dev/null
fi
for tool in script flock dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { say "$tool is missing (script/flock: util-linux; dotnet: the .NET SDK)"; exit 4; }
done

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # a second run waits here, then finds the stamp and leaves

if [ -f "$CACHE/ready" ] && [ "$(cat "$CACHE/ready")" = "$STAMP_TEXT" ] && [ -f "$PWSH_EXE" ]; then
  echo "$PWSH_EXE"; exit 0
fi
say "building the bed in $CACHE ($STAMP_TEXT)"
rm -f "$CACHE/ready"
# a half-built prefix from an interrupted run is not trusted: start it again
wineserver -k >/dev/null 2>&1 || true
rm -rf "$WINEPREFIX" "$CACHE/pwsh-win"

# 1. NuGet: download only (nothing built), into a package folder kept in the cache
N=$CACHE/nuget
project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
cat >"$project/bed.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="PowerShell" Version="[$PWSH_VERSION]" />
    <PackageDownload Include="Microsoft.NETCore.App.Runtime.win-x64" Version="[$DOTNET_VERSION]" />
    <PackageDownload Include="Microsoft.WindowsDesktop.App.Runtime.win-x64" Version="[$DOTNET_VERSION]" />
  </ItemGroup>
</Project>
EOF
NUGET_PACKAGES=$N DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$project/bed.csproj" >"$CACHE/restore.log" 2>&1 \
  || { say "dotnet restore failed:"; tail -20 "$CACHE/restore.log" >&2; exit 4; }

# 2. the Wine prefix, headless, claiming Windows 10 (a new prefix says Windows 7)
wine cmd /c ver >/dev/null 2>&1
wine winecfg /v win10 >/dev/null 2>&1

# 3. the Windows .NET runtime where pwsh's apphost looks for it
D="$WINEPREFIX/drive_c/Program Files/dotnet"
mkdir -p "$D/host/fxr/$DOTNET_VERSION" "$D/shared/Microsoft.NETCore.App/$DOTNET_VERSION" "$D/shared/Microsoft.WindowsDesktop.App/$DOTNET_VERSION"
R=$N/microsoft.netcore.app.runtime.win-x64/$DOTNET_VERSION/runtimes/win-x64
cp -r "$R"/lib/net10.0/* "$R"/native/* "$D/shared/Microsoft.NETCore.App/$DOTNET_VERSION/"
mv "$D/shared/Microsoft.NETCore.App/$DOTNET_VERSION/hostfxr.dll" "$D/host/fxr/$DOTNET_VERSION/"
W=$N/microsoft.windowsdesktop.app.runtime.win-x64/$DOTNET_VERSION/runtimes/win-x64
cp -r "$W"/lib/net10.0/* "$W"/native/* "$D/shared/Microsoft.WindowsDesktop.App/$DOTNET_VERSION/"

# 4. the Windows build of PowerShell (from the global-tool package: its win folder holds pwsh.exe)
cp -r "$N/powershell/$PWSH_VERSION/tools/net10.0/any/win" "$CACHE/pwsh-win"

# 5. one real start proves the bed (pwsh needs a terminal: script(1) gives it one)
probe=$CACHE/probe.txt
script -qec "wine '$PWSH_EXE' -NoProfile -NonInteractive -Command '\$PSVersionTable.Platform' > '$probe' 2>&1" /dev/null </dev/null \
  || { say "pwsh.exe did not start under wine:"; cat "$probe" >&2; exit 4; }
grep -q Win32NT "$probe" || { say "pwsh.exe under wine printed no Win32NT:"; cat "$probe" >&2; exit 4; }

echo "$STAMP_TEXT" >"$CACHE/ready"
say "ready"
echo "$PWSH_EXE"
