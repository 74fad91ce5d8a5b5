#!/bin/bash
# deps.sh — install what pinconv needs from Debian, once.  A fast no-op
# when everything is present; one clear line and exit 1 when apt fails.
set -uo pipefail
pkgs=(coccinelle sparse parallel qemu-system-x86 busybox-static
      build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils kmod
      linux-source-6.12 linux-source-6.1 libjansson-dev libcmocka-dev
      python3-jsonschema pkg-config git chromium
      gcc-aarch64-linux-gnu gcc-powerpc64-linux-gnu gcc-s390x-linux-gnu b4
      openssh-server openssh-client rsync)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "pinconv: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
else
	sudo=
fi
log=$(mktemp)
if ! { $sudo apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
	echo "pinconv: apt-get install failed for: ${missing[*]} (log: $log)" >&2
	tail -5 "$log" >&2
	exit 1
fi
rm -f "$log"
