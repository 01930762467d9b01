#!/bin/sh
# Put Vaughn in the desktop's application menu (for this user only; no root needed).
# Run from the unpacked vaughn/ folder: ./install-desktop-entry.sh   (undo: --remove)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/vaughn.desktop" "$icons/256x256/apps/vaughn.png" "$icons/scalable/apps/vaughn.svg"
    echo "Vaughn removed from the application menu (the vaughn/ folder and your data stay)."
    exit 0
fi
mkdir -p "$apps" "$icons/256x256/apps" "$icons/scalable/apps"
cp "$here/vaughn.png" "$icons/256x256/apps/vaughn.png"
cp "$here/vaughn.svg" "$icons/scalable/apps/vaughn.svg"
sed -e "s|^Exec=vaughn|Exec=\"$here/vaughn\"|" -e "s|^TryExec=vaughn|TryExec=$here/vaughn|" \
    "$here/vaughn.desktop" > "$apps/vaughn.desktop"
chmod 644 "$apps/vaughn.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "Vaughn is in the application menu (entry: $apps/vaughn.desktop)."
