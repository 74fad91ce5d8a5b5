#!/bin/bash
# default-tree.sh VERSION — print the path of Debian's linux-source-VERSION,
# unpacked once into the pinconv cache, keyed by the package version:
#
#   $PINCONV_CACHE/trees/<package version>/linux-source-VERSION
#
# so a machine that upgraded to the next point release unpacks the new
# tree next to the old one instead of silently testing the old one, and
# two machines with the same package test the same tree.  The package
# version is written into the tree's .pinconv-unpacked marker (read it
# with `default-tree.sh --version VERSION`).
#
# PINCONV_DEB_<VERSION with . as _>=file.deb (e.g. PINCONV_DEB_6_12=
# linux-source-6.12_6.12.117-1~deb12u1_all.deb, from `apt-get download
# linux-source-6.12=<version>`) takes the tree from that package file
# instead of the installed one: the whole suite can run against another
# point release without installing it.
#
# The unpack goes to a temporary directory renamed into place only when
# tar succeeded, the marker is written last, and a lock serialises two
# runs that unpack at once (the second waits, and says so).
set -euo pipefail
if [ "${1:-}" = --version ]; then
	want_version=1
	shift
fi
ver=${1:-6.12}
cache=${PINCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinconv}
debvar=PINCONV_DEB_${ver//./_}
deb=${!debvar:-}

if [ -n "$deb" ]; then
	[ -f "$deb" ] || { echo "pinconv: $debvar=$deb: no such file" >&2; exit 2; }
	pkgver=$(dpkg-deb -f "$deb" Version) ||
		{ echo "pinconv: $deb: not a Debian package" >&2; exit 2; }
else
	pkgver=$(dpkg-query -W -f '${Version}' "linux-source-$ver" 2>/dev/null) || pkgver=
	if [ -z "$pkgver" ] || [ ! -f "/usr/src/linux-source-$ver.tar.xz" ]; then
		echo "pinconv: linux-source-$ver is not installed (scripts/deps.sh installs it)" >&2
		exit 2
	fi
fi
# A directory name from the version: 6.12.118-1~deb12u1 -> 6.12.118-1_deb12u1.
dest=$cache/trees/${pkgver//[^A-Za-z0-9.+-]/_}/linux-source-$ver
marker=$dest/.pinconv-unpacked

report() {
	if [ -n "${want_version:-}" ]; then cat "$marker"; else echo "$dest"; fi
}
if [ -f "$marker" ]; then
	report
	exit 0
fi
mkdir -p "$(dirname "$dest")"
exec 9>"$(dirname "$dest")/.lock-$ver"
if ! flock -n 9; then
	echo "pinconv: waiting for another run unpacking linux-source-$ver $pkgver" >&2
	flock 9
fi
if [ -f "$marker" ]; then
	report
	exit 0
fi
tmp=$(mktemp -d "$(dirname "$dest")/.unpack-$ver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -n "$deb" ]; then
	echo "pinconv: unpacking $deb ($pkgver) into $dest (once)" >&2
	dpkg-deb --fsys-tarfile "$deb" |
		tar -C "$tmp" -x "./usr/src/linux-source-$ver.tar.xz"
	tarball=$tmp/usr/src/linux-source-$ver.tar.xz
else
	echo "pinconv: unpacking /usr/src/linux-source-$ver.tar.xz ($pkgver) into $dest (once)" >&2
	tarball=/usr/src/linux-source-$ver.tar.xz
fi
tar -C "$tmp" -xJf "$tarball"
rm -rf "$dest"
mv "$tmp/linux-source-$ver" "$dest"
echo "$pkgver" >"$marker"
report
