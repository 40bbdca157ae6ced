#!/bin/sh
# Add smtdesk to the desktop's application menu, for this user only:
#   packaging/install-desktop-entry.sh [COMMAND]
# COMMAND is what the menu entry runs: by default the bundle built by packaging/build.sh
# when it is there, else `smtdesk` on the PATH (pip install). Installs the entry into
# $XDG_DATA_HOME/applications and the icon sizes into $XDG_DATA_HOME/icons/hicolor
# (XDG_DATA_HOME defaults to ~/.local/share).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
if [ $# -ge 1 ]; then
    command=$1
elif [ -x "$root/dist/smtdesk/smtdesk" ]; then
    command=$root/dist/smtdesk/smtdesk
else
    command=smtdesk
fi
case $command in
    *[\ \"\'\\]*) echo "install-desktop-entry: put $command in a folder without spaces or quotes" >&2; exit 2 ;;
esac

for size in 16 32 48 64 128 256; do
    dir=$data/icons/hicolor/${size}x${size}/apps
    mkdir -p "$dir"
    cp "$root/resources/icons/smtdesk-$size.png" "$dir/smtdesk.png"
done
mkdir -p "$data/icons/hicolor/scalable/apps" "$data/applications"
cp "$root/resources/smtdesk.svg" "$data/icons/hicolor/scalable/apps/smtdesk.svg"
sed "s|^Exec=.*|Exec=$command|" "$root/packaging/smtdesk.desktop" > "$data/applications/smtdesk.desktop"

# some menus pick the new entry up only after this, where the desktop has it
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
echo "installed $data/applications/smtdesk.desktop (runs $command)"
