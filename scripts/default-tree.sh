#!/bin/bash
# default-tree.sh VERSION — print the path of Debian's linux-source-VERSION,
# unpacked once into the pinconv cache.  The unpack goes to a temporary
# directory and is renamed into place only when tar succeeded, and a
# completion marker is written last, so an interrupted unpack is redone
# and never half-used.
set -euo pipefail
ver=${1:-6.12}
cache=${PINCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinconv}
dest=$cache/trees/linux-source-$ver
marker=$dest/.pinconv-unpacked
tarball=/usr/src/linux-source-$ver.tar.xz

if [ -f "$marker" ]; then
	echo "$dest"
	exit 0
fi
if [ ! -f "$tarball" ]; then
	echo "pinconv: $tarball not found (install linux-source-$ver: scripts/deps.sh)" >&2
	exit 1
fi
mkdir -p "$cache/trees"
tmp=$(mktemp -d "$cache/trees/.unpack-$ver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "pinconv: unpacking $tarball into $dest (once)" >&2
tar -C "$tmp" -xJf "$tarball"
rm -rf "$dest"
mv "$tmp/linux-source-$ver" "$dest"
touch "$marker"
echo "$dest"
