#!/bin/sh
# init.sh — /init of the qemu-test guest (busybox sh).
#
# Runs every line of /etc/pinconv/tests ("NAME<TAB>TIMEOUT<TAB>COMMAND"),
# each under `timeout`, and writes to the second serial port (ttyS1):
#   @@ boot RELEASE
#   @@ test NAME / | output... / @@ rc N      for each test, then
#   @@ kmsg / | lines...                      the kernel messages it caused
#   @@ vmstat nr_foll_pin_acquired N nr_foll_pin_released N
#   @@ dmesg / | lines... / @@ end
# scripts/qemu/results.py reads this and decides; the guest judges nothing.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /mnt/fuse

exec 3>/dev/ttyS1
say() { echo "$*" >&3; }
pins() {
	grep -E '^nr_foll_pin_(acquired|released) ' /proc/vmstat | tr '\n' ' '
}

say "@@ boot $(uname -r)"
tab=$(printf '\t')
while IFS="$tab" read -r name secs cmd; do
	case $name in ''|'#'*) continue ;; esac
	say "@@ test $name"
	seen=$(dmesg | sed -n '$=')
	# shellcheck disable=SC2086 # COMMAND is split on purpose
	timeout "$secs" $cmd >/tmp/out 2>&1 </dev/null
	rc=$?
	sed 's/^/| /' /tmp/out >&3
	say "@@ rc $rc"
	say "@@ kmsg"
	dmesg | sed -n "$((${seen:-0} + 1)),\$p" | sed 's/^/| /' >&3
done </etc/pinconv/tests
sync
say "@@ vmstat $(pins)"
say "@@ dmesg"
dmesg | sed 's/^/| /' >&3
say "@@ end"
reboot -f
