#!/bin/bash
# qemu-test.sh — `make qemu-test [KDIR=…] [SUBSYS=…] [SERIES=dir]`
#
# Builds the kernel (unconverted, or with a series applied) out of tree from
# tinyconfig + scripts/qemu/config.fragment, boots it under QEMU (KVM when
# it works, TCG otherwise) with a busybox-static initramfs, runs every
# gup_test variant and the SUBSYS workload, and checks that pins balance
# and dmesg stays clean.  With a series, the same guest first runs on the
# unconverted kernel (cached), so the report can show that the workload
# raises nr_foll_pin_acquired on the converted kernel only.
#
# Series: SERIES=dir (every *.patch but 0000-cover-letter), else the one
# `make convert SUBSYS=…` wrote to <reports>/<tree-id>/convert/<slug>/.
# Results: KTAP on stdout, and <reports>/<tree-id>/qemu/<slug>/
# {results.ktap,summary.json,console.log,serial.log}.
# Build cache: the pinconv cache root ($PINCONV_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/pinconv)/build/<tree-id>-<key>/.
# Exit: 0 pass, 1 a test failed (or the series does not apply/build),
# 2 usage or tool error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON3:-/usr/bin/python3}
QT_FRAGMENT=$HERE/qemu/config.fragment
. "$HERE/qemu/build.sh"

QT_BOOT_TIMEOUT=${QT_BOOT_TIMEOUT:-120}	# until the guest's /init speaks, seconds
QT_RUN_TIMEOUT=${QT_RUN_TIMEOUT:-900}	# the whole guest run, seconds
QT_TEST_TIMEOUT=${QT_TEST_TIMEOUT:-120}	# each test inside the guest

for t in qemu-system-x86_64 gcc make git flock cpio timeout; do
	command -v "$t" >/dev/null || qt_die "missing tool: $t (scripts/deps.sh installs it)"
done
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && ! readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'program interpreter' ||
	qt_die "$BUSYBOX is not static (install busybox-static)"

[ -n "${KDIR:-}" ] || KDIR=$("$HERE/default-tree.sh" 6.12) || exit 2
eval "$(QT_SCRIPTS=$HERE $PY -c '
import os, shlex, sys
sys.path.insert(0, os.environ["QT_SCRIPTS"])
import pinconv_tree as t
k = t.check_tree(sys.argv[1])
print("QT_KDIR=%s QT_TREE_ID=%s QT_VERSION=%s QT_REPORTS=%s" % tuple(
    shlex.quote(x) for x in (k, t.tree_id(k), t.kernel_version(k),
                             t.report_dir(k, sys.argv[2] or None))))
' "$KDIR" "${OUT:-}")"
[ -n "${QT_KDIR:-}" ] || exit 2

# ---- workloads by SUBSYS ----
# Each workload drives the paths of the files listed here; a series that
# touches none of them leaves the workload "not converted in this series"
# (SUBSYS=all and several series; see results.py --per-workload).
ALL_WORKLOADS=(fuse block vmsplice procmem zerocopy tls uprobe)
declare -A WORKLOAD_FILES=(
	[fuse]="fs/fuse/"
	[block]="block/ fs/iomap/ fs/direct-io.c"
	[vmsplice]="fs/splice.c"
	[procmem]="mm/memory.c"
	[zerocopy]="net/core/datagram.c"
	[tls]="net/tls/ net/core/skmsg.c"
	[uprobe]="kernel/events/uprobes.c"
)
SUBSYS=${SUBSYS:-}
SUBSYS=${SUBSYS%/}
slug=${SUBSYS//\//-}
slug=${slug:-all}
workloads=() comments=()
case $SUBSYS in
''|all) workloads=("${ALL_WORKLOADS[@]}") ;;
fs/fuse|fs/fuse/*) workloads=(fuse) ;;
block|block/*|fs/direct-io.c|fs/iomap|fs/iomap/*) workloads=(block) ;;
fs/splice.c) workloads=(vmsplice) ;;
mm|mm/memory.c) workloads=(procmem) ;;
net) workloads=(zerocopy tls) ;;
net/core|net/core/*) workloads=(zerocopy tls) ;;
net/tls|net/tls/*) workloads=(tls) ;;
kernel/events|kernel/events/*) workloads=(uprobe) ;;
*) comments+=("SUBSYS=$SUBSYS: no workload yet; gup_test only") ;;
esac

# ---- the series ----
# SERIES= names one or more directories (separated by spaces), each a
# series (its *.patch but the cover letter) or a directory of series (the
# convert/all/ of `make convert SUBSYS=all`: one per MAINTAINERS section).
# With SUBSYS=all or several series, every series is applied, in order, to
# one kernel ("all mode"), and each workload is judged on its own.
series=() series_dirs=() sdirs=()
allmode=
[ "$SUBSYS" = all ] && allmode=1
if [ -n "${SERIES:-}" ]; then
	read -r -a sdirs <<<"$SERIES"
	for d in "${sdirs[@]}"; do
		[ -d "$d" ] || qt_die "SERIES=$d: no such directory"
	done
elif [ -n "$SUBSYS" ]; then
	d=$QT_REPORTS/convert/$slug
	if [ ! -d "$d" ]; then
		# Every stage builds what it reads: the series of SUBSYS first.
		qt_log "no series at $d: running convert SUBSYS=$SUBSYS first"
		KDIR=$QT_KDIR OUT=$QT_REPORTS SUBSYS=$SUBSYS $PY "$HERE/convert.py" >&2
		rc=$?
		[ $rc -le 1 ] || qt_die "convert SUBSYS=$SUBSYS failed (exit $rc)"
	fi
	if [ -d "$d" ]; then
		sdirs=("$d")
	else
		comments+=("no series at $d (convert SUBSYS=$SUBSYS converted nothing): unconverted kernel only")
		qt_log "no series at $d (convert SUBSYS=$SUBSYS converted nothing); running the unconverted kernel only"
	fi
fi
for d in ${sdirs[@]+"${sdirs[@]}"}; do
	d=$(realpath "$d")
	if compgen -G "$d/*.patch" >/dev/null; then
		series_dirs+=("$d")
	else
		while IFS= read -r sub; do series_dirs+=("$sub"); done < <(
			find "$d" -mindepth 2 -maxdepth 2 -name '*.patch' ! -name '0000-*' \
				-printf '%h\n' | LC_ALL=C sort -u)
	fi
done
[ ${#series_dirs[@]} -gt 1 ] && allmode=1
# Patches, series by series; a patch already taken from an earlier series
# (the same git patch-id: the put_user_page placeholder every series of an
# old tree starts with) is applied once.
declare -A seen_patch=()
nseries=0
for d in ${series_dirs[@]+"${series_dirs[@]}"}; do
	n=0
	while IFS= read -r p; do
		id=$(git patch-id --stable <"$p" | cut -d' ' -f1)
		if [ -n "$id" ] && [ -n "${seen_patch[$id]:-}" ]; then
			continue
		fi
		[ -n "$id" ] && seen_patch[$id]=1
		series+=("$p")
		n=$((n + 1))
	done < <(find "$d" -maxdepth 1 -name '*.patch' ! -name '0000-*' | LC_ALL=C sort)
	[ $n -gt 0 ] && nseries=$((nseries + 1))
done
if [ ${#series[@]} -gt 0 ]; then
	if [ ${#series_dirs[@]} -eq 1 ]; then
		comments+=("series: ${series_dirs[0]} (${#series[@]} patches)")
	else
		comments+=("series: $nseries series, ${#series[@]} patches (${sdirs[*]})")
	fi
elif [ -n "${SERIES:-}" ]; then
	qt_die "no *.patch files in ${sdirs[*]}"
elif [ ${#sdirs[@]} -gt 0 ]; then
	comments+=("the series at ${sdirs[*]} has no patches (nothing converted): unconverted kernel only")
	qt_log "the series at ${sdirs[*]} has no patches; running the unconverted kernel only"
fi

# Files the series touches (from the patches, before applying) and the
# Kconfig symbols that build them.
touched=()
if [ ${#series[@]} -gt 0 ]; then
	while IFS= read -r f; do touched+=("$f"); done < <(
		sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "${series[@]}" | LC_ALL=C sort -u)
fi
QT_SRC=$QT_KDIR
extra=$(qt_symbols_for ${touched[@]+"${touched[@]}"} | while read -r s; do
	grep -qx "CONFIG_$s=y" "$QT_FRAGMENT" || echo "$s"; done | tr '\n' ' ')
QT_EXTRA_SYMS=${extra% }
# All mode: a touched file that is not built for x86 is listed as not
# tested, and a Kconfig symbol that does not stick is reported (qt_config
# with QT_LENIENT) instead of stopping the run.
not_tested=()
if [ -n "$allmode" ]; then
	QT_LENIENT=1
	for f in ${touched[@]+"${touched[@]}"}; do
		case $f in
		arch/x86/*) ;;
		arch/*) a=${f#arch/}; not_tested+=("$f: not built for x86 (arch/${a%%/*})") ;;
		esac
	done
fi
# Workloads whose paths the series touches.
converted=()
for w in ${workloads[@]+"${workloads[@]}"}; do
	for f in ${touched[@]+"${touched[@]}"}; do
		for pat in ${WORKLOAD_FILES[$w]}; do
			case $pat in
			*/) [[ $f == "$pat"* ]] ;;
			*) [ "$f" = "$pat" ] ;;
			esac && { converted+=("$w"); continue 3; }
		done
	done
done
. "$HERE/qemu/key.sh"
cache=${PINCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinconv}
QT_ROOT=$cache/build/$QT_TREE_ID-$QT_KEY
QT_SRC=$QT_ROOT/src QT_OBJ=$QT_ROOT/$QT_OBJ_NAME
mkdir -p "$QT_ROOT" || qt_die "cannot create $QT_ROOT"
exec 9>"$QT_ROOT/lock"
flock -w 3600 9 || qt_die "another qemu-test holds $QT_ROOT/lock"

run=$(mktemp -d "$QT_ROOT/run.XXXXXX")
trap 'rm -rf "$run"' EXIT
trap 'exit 2' INT TERM HUP

# ---- guest ----
# qt_guest DIR: static guest programs and the initramfs for the kernel in
# $QT_OBJ (built against its UAPI headers).
qt_guest() {
	local d=$1 g=$HERE/qemu/guest sel vm_h shim=() cflags
	mkdir -p "$d/bin" "$d/inc/mm"
	sel=$QT_SRC/tools/testing/selftests/mm
	[ -f "$sel/gup_test.c" ] || sel=$QT_SRC/tools/testing/selftests/vm
	[ -f "$sel/gup_test.c" ] || qt_die "no gup_test.c in $QT_SRC/tools/testing/selftests/{mm,vm}"
	cp "$QT_SRC/mm/gup_test.h" "$d/inc/mm/" || qt_die "no mm/gup_test.h in the tree"
	vm_h=$sel/vm_util.h
	grep -qs 'extern unsigned int __page_size' "$vm_h" && shim=("$g/gup_shim.c")
	if ! gcc -static -O2 -Wall -I"$QT_OBJ/usr/include" -I"$d/inc" \
			-o "$d/bin/gup_test" "$sel/gup_test.c" ${shim[@]+"${shim[@]}"} \
			-lpthread >"$d/gcc.log" 2>&1; then
		head -5 "$d/gcc.log" >&2
		qt_die "cannot build $sel/gup_test.c (log: $d/gcc.log)"
	fi
	cflags=(-std=c11 -static -O2 -Wall -Wextra -Werror -I"$QT_OBJ/usr/include")
	for p in $GUEST_PROGRAMS; do
		gcc "${cflags[@]}" -o "$d/bin/$p" "$g/$p.c" >>"$d/gcc.log" 2>&1 ||
			{ head -5 "$d/gcc.log" >&2; qt_die "cannot build $g/$p.c"; }
	done
	qt_tests >"$d/tests"
	{
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		for x in bin etc etc/pinconv proc sys tmp mnt; do echo "dir /$x 0755 0 0"; done
		echo "file /bin/busybox $BUSYBOX 0755 0 0"
		for a in sh mount umount mkdir grep sed tr cat dmesg sync reboot timeout echo printf; do
			echo "slink /bin/$a busybox 0777 0 0"
		done
		for p in gup_test $GUEST_PROGRAMS; do echo "file /bin/$p $d/bin/$p 0755 0 0"; done
		echo "file /init $HERE/qemu/init.sh 0755 0 0"
		echo "file /etc/pinconv/tests $d/tests 0644 0 0"
	} >"$d/initramfs.list"
	"$QT_OBJ/usr/gen_init_cpio" "$d/initramfs.list" >"$d/initramfs.cpio" ||
		qt_die "gen_init_cpio failed"
}

GUEST_PROGRAMS="fusewl odirect vmsplicewl procmemwl zerocopywl tlswl uprobewl"

# qt_tests: NAME<TAB>TIMEOUT<TAB>COMMAND, one test a line.
qt_tests() {
	local T=$QT_TEST_TIMEOUT v w
	# gup_test variants: get/pin x fast/basic/longterm, read/write, shared,
	# THP, and the page dumps (FOLL_GET and FOLL_PIN).
	for v in "-u" "-U" "-a" "-b" "-L" "-u -W" "-a -W" "-b -S" "-U -S -n 512" \
		 "-a -t -n 512" "-b -T -n 123" "-ct -F 0x1 0 19 0x1000" \
		 "-ctp -F 0x1 0 19 0x1000"; do
		printf 'gup_test %s\t%s\t/bin/gup_test -m 32 %s\n' "$v" "$T" "$v"
	done
	for w in "${workloads[@]}"; do
		case $w in
		fuse) printf 'workload-fuse\t%s\t/bin/fusewl /mnt/fuse\n' "$T" ;;
		block) printf 'workload-block\t%s\t/bin/odirect /dev/vda\n' "$T" ;;
		vmsplice) printf 'workload-vmsplice\t%s\t/bin/vmsplicewl /tmp\n' "$T" ;;
		procmem) printf 'workload-procmem\t%s\t/bin/procmemwl\n' "$T" ;;
		zerocopy) printf 'workload-zerocopy\t%s\t/bin/zerocopywl\n' "$T" ;;
		tls) printf 'workload-tls\t%s\t/bin/tlswl\n' "$T" ;;
		uprobe) printf 'workload-uprobe\t%s\t/bin/uprobewl /sys/kernel/tracing\n' "$T" ;;
		esac
	done
}

# qt_boot DIR: boot $QT_OBJ's bzImage with DIR/initramfs.cpio; DIR gets
# console.log and serial.log.  KVM is tried first: if the guest has not
# reached /init within QT_KVM_PROBE seconds (a nested /dev/kvm can hang
# rather than fail), QEMU is stopped and TCG used; the verdict is cached per
# QEMU version and host kernel.  Sets QT_ACCEL.
QT_ACCEL=
QT_KVM_PROBE=${QT_KVM_PROBE:-20}
qt_boot() {
	local d=$1 accel rc pid t0=$SECONDS t1 verdict why
	verdict=$cache/kvm-$( { qemu-system-x86_64 --version | head -1; uname -r; } |
		sha1sum | cut -c1-10)
	truncate -s 16M "$d/disk.img"
	for accel in ${QT_ACCEL:-kvm tcg}; do
		if [ "$accel" = kvm ]; then
			why=
			[ -r /dev/kvm ] && [ -w /dev/kvm ] || why="/dev/kvm not usable"
			[ -z "$why" ] && [ -f "$verdict" ] && why="$(cat "$verdict") (cached in $verdict)"
			if [ -n "$why" ]; then
				qt_log "KVM: $why; using TCG"
				continue
			fi
		fi
		rm -f "$d/console.log" "$d/serial.log"
		t1=$SECONDS
		timeout "$QT_RUN_TIMEOUT" qemu-system-x86_64 -accel "$accel" \
			-m 512 -smp 1 -nographic -no-reboot -monitor none \
			-kernel "$QT_OBJ/arch/x86/boot/bzImage" -initrd "$d/initramfs.cpio" \
			-append "console=ttyS0 rdinit=/init panic=-1 loglevel=7" \
			-serial "file:$d/console.log" -serial "file:$d/serial.log" \
			-drive "file=$d/disk.img,format=raw,if=virtio" \
			>"$d/qemu.log" 2>&1 &
		pid=$!
		if [ "$accel" = kvm ]; then
			while kill -0 $pid 2>/dev/null && ! grep -qs '^@@ boot' "$d/serial.log" &&
			      [ $((SECONDS - t1)) -lt "$QT_KVM_PROBE" ]; do
				sleep 0.5
			done
			if ! grep -qs '^@@ boot' "$d/serial.log"; then
				kill $pid 2>/dev/null
				wait $pid 2>/dev/null
				why="guest did not reach /init within $QT_KVM_PROBE s under KVM"
				grep -qs . "$d/qemu.log" && why="$why; qemu: $(grep -v warning "$d/qemu.log" | head -1)"
				echo "$why" >"$verdict"
				qt_log "KVM does not work here ($why); falling back to TCG"
				continue
			fi
		fi
		# Boot timeout: the kernel must reach /init in QT_BOOT_TIMEOUT s.
		while kill -0 $pid 2>/dev/null && ! grep -qs '^@@ boot' "$d/serial.log" &&
		      [ $((SECONDS - t1)) -lt "$QT_BOOT_TIMEOUT" ]; do
			sleep 0.5
		done
		if kill -0 $pid 2>/dev/null && ! grep -qs '^@@ boot' "$d/serial.log"; then
			kill $pid 2>/dev/null
			wait $pid
			QT_ACCEL=$accel
			qt_log "the guest did not reach /init within $QT_BOOT_TIMEOUT s under ${accel^^}; QEMU stopped"
			return 0
		fi
		wait $pid
		rc=$?
		QT_ACCEL=$accel
		[ $rc -eq 124 ] && qt_log "QEMU timed out after $QT_RUN_TIMEOUT s"
		qt_log "booted and tested under ${accel^^} in $((SECONDS - t1)) s"
		return 0
	done
	qt_die "QEMU could not run (log: $d/qemu.log)"
}

# qt_run NAME [PATCH...]: build the kernel with PATCHes, boot it, judge.
qt_run() {
	local name=$1 d=$run/$1; shift
	mkdir -p "$d"
	qt_checkout "$@"
	qt_seed_obj
	qt_config $QT_EXTRA_SYMS
	qt_build
	qt_guest "$d"
	qt_boot "$d"
}

title="pinconv qemu-test: $QT_TREE_ID ($QT_VERSION)${SUBSYS:+ SUBSYS=$SUBSYS}"
out=$QT_REPORTS/qemu/$slug
mkdir -p "$out" || qt_die "cannot create $out"
qt_prepare_src
guest_hash=$({ qt_tests; cat "$HERE"/qemu/guest/*.[ch] "$HERE"/qemu/init.sh "$HERE"/qemu/results.py; } |
	sha1sum | cut -c1-10)

baseline=()
if [ ${#series[@]} -gt 0 ] && [ -n "$SUBSYS$allmode" ] && [ ${#workloads[@]} -gt 0 ]; then
	base=$QT_ROOT/baseline-$QT_OBJ_NAME-$guest_hash.json
	if [ ! -f "$base" ]; then
		qt_log "unconverted kernel first, for the baseline"
		qt_run base
		if ! $PY "$HERE/qemu/results.py" --serial "$run/base/serial.log" \
			--console "$run/base/console.log" --json "$run/base.json" \
			--title "$title (unconverted baseline)" >"$run/base.ktap"; then
			cat "$run/base.ktap"
			cp "$run/base/console.log" "$run/base/serial.log" "$out/" 2>/dev/null
			qt_die "the unconverted kernel fails already (see above)" 1
		fi
		mv "$run/base.json" "$base"
	fi
	baseline=(--baseline "$base")
	qt_run conv "${series[@]}"
	d=$run/conv
elif [ ${#series[@]} -gt 0 ]; then
	qt_run conv "${series[@]}"
	d=$run/conv
else
	qt_run plain
	d=$run/plain
fi
comments+=("accel: $QT_ACCEL; build: $QT_OBJ")
[ -n "$QT_EXTRA_SYMS" ] && comments+=("extra Kconfig symbols: $QT_EXTRA_SYMS")
wargs=()
if [ -n "$allmode" ]; then
	# Touched files a symbol that did not stick leaves out of the kernel.
	for f in ${touched[@]+"${touched[@]}"}; do
		for s in $(qt_symbols_for "$f"); do
			for why in ${QT_NOT_ENABLED[@]+"${QT_NOT_ENABLED[@]}"}; do
				[ "${why%%:*}" = "CONFIG_$s" ] && not_tested+=("$f: $why")
			done
		done
	done
	for c in ${not_tested[@]+"${not_tested[@]}"}; do comments+=("not tested: $c"); done
	# Built, but no workload drives them: compiled and booted only.
	only=()
	for f in ${touched[@]+"${touched[@]}"}; do
		case $f in *.c) ;; *) continue ;; esac
		printf '%s\n' ${not_tested[@]+"${not_tested[@]}"} | grep -q "^$f:" && continue
		for w in "${ALL_WORKLOADS[@]}"; do
			for pat in ${WORKLOAD_FILES[$w]}; do
				case $pat in
				*/) [[ $f == "$pat"* ]] ;;
				*) [ "$f" = "$pat" ] ;;
				esac && continue 3
			done
		done
		only+=("$f")
	done
	[ ${#only[@]} -gt 0 ] && comments+=("built, no workload: ${only[*]}")
	if [ ${#converted[@]} -gt 0 ]; then
		comments+=("workloads on converted paths: ${converted[*]}")
	else
		comments+=("no workload drives a path this series converts")
	fi
	wargs=(--per-workload)
	for w in ${converted[@]+"${converted[@]}"}; do wargs+=(--converted "workload-$w"); done
fi
cargs=()
for c in "${comments[@]}"; do cargs+=(--comment "$c"); done
cp "$d/console.log" "$out/console.log.tmp" && mv "$out/console.log.tmp" "$out/console.log"
cp "$d/serial.log" "$out/serial.log.tmp" && mv "$out/serial.log.tmp" "$out/serial.log"
$PY "$HERE/qemu/results.py" --serial "$d/serial.log" --console "$d/console.log" \
	--json "$out/summary.json" --ktap "$out/results.ktap" --title "$title" \
	${baseline[@]+"${baseline[@]}"} ${wargs[@]+"${wargs[@]}"} "${cargs[@]}"
rc=$?
[ $rc -le 1 ] || exit 2
# A passing unconverted run is the baseline of a later run with a series
# and the same guest tests (cached per build and guest, as above).
if [ $rc -eq 0 ] && [ ${#series[@]} -eq 0 ] && [ ${#workloads[@]} -gt 0 ] &&
   [ ! -f "$QT_ROOT/baseline-$QT_OBJ_NAME-$guest_hash.json" ]; then
	cp "$out/summary.json" "$QT_ROOT/baseline-$QT_OBJ_NAME-$guest_hash.json.tmp" &&
		mv "$QT_ROOT/baseline-$QT_OBJ_NAME-$guest_hash.json.tmp" \
			"$QT_ROOT/baseline-$QT_OBJ_NAME-$guest_hash.json"
fi
[ $rc -eq 0 ] || echo "pinconv: qemu-test failed (see $out/results.ktap)" >&2
exit $rc
