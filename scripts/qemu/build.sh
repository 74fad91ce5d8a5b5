#!/bin/bash
# build.sh — the kernel half of `make qemu-test`, sourced by qemu-test.sh.
#
# One build directory per (tree, config):
#   $QT_ROOT/src   a git copy of the tree (commit "pristine"); a series is
#                  applied with git am, and undone with reset --hard, which
#                  rewrites only the files that differ, so mtimes of the
#                  others survive and make rebuilds only what changed
#   $QT_ROOT/obj   make O= output
# The source path never changes for a key, so Kbuild's command lines (which
# carry the absolute source path) stay the same from one run to the next.

qt_log() { echo "pinconv: qemu-test: $*" >&2; }
qt_die() { echo "pinconv: $*" >&2; exit "${2:-2}"; }

# qt_symbols_for FILE...: the Kconfig symbols that build FILEs (relative
# paths in $QT_SRC), read from each directory's Makefile:
#   obj-$(CONFIG_X) += file.o           -> X
#   mod-y / mod-objs / mod-$(CONFIG_Y) += file.o, obj-$(CONFIG_X) += mod.o -> X (and Y)
# and from the Makefiles above it: obj-$(CONFIG_Z) += dir/ -> Z.  Files
# under arch/ other than arch/x86/ are not built here and give none.
qt_symbols_for() {
	local f dir base mk line mod up sub
	for f in "$@"; do
		case $f in *.c) ;; *) continue ;; esac
		case $f in arch/x86/*) ;; arch/*) continue ;; esac
		dir=$(dirname "$f") base=$(basename "$f" .c)
		up=$dir
		while [ "$up" != . ] && [ "$up" != / ]; do
			sub=$(basename "$up") up=$(dirname "$up")
			[ -f "$QT_SRC/$up/Makefile" ] || continue
			sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' -e 's/\t/ /g' "$QT_SRC/$up/Makefile" |
				sed -n "s|^obj-\$(CONFIG_\([A-Za-z0-9_]*\))[[:space:]]*[+:]=.*[[:space:]]$sub/\([[:space:]].*\)\{0,1\}\$|\1|p"
		done
		mk=$QT_SRC/$dir/Makefile
		[ -f "$mk" ] || continue
		# Join continuation lines first, tabs as spaces.
		sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' -e 's/\t/ /g' "$mk" |
		while IFS= read -r line; do
			case " $line " in *" $base.o "*) ;; *) continue ;; esac
			if [[ $line =~ ^obj-\$\(CONFIG_([A-Za-z0-9_]+)\) ]]; then
				echo "${BASH_REMATCH[1]}"
			elif [[ $line =~ ^([A-Za-z0-9_]+)-(y|objs|\$\(CONFIG_([A-Za-z0-9_]+)\)) ]]; then
				mod=${BASH_REMATCH[1]}
				[ -n "${BASH_REMATCH[3]}" ] && echo "${BASH_REMATCH[3]}"
				sed -n "s/^obj-\$(CONFIG_\([A-Za-z0-9_]*\))[[:space:]]*[+:]=.*\<$mod\.o\>.*/\1/p" "$mk"
			fi
		done
	done | LC_ALL=C sort -u
}

# qt_prepare_src: the pristine git copy of $QT_KDIR, made once.
qt_prepare_src() {
	[ -d "$QT_SRC/.git" ] && return 0
	qt_log "copying $QT_KDIR to $QT_SRC (once per tree and config)"
	local tmp=$QT_ROOT/src.tmp.$$
	rm -rf "$QT_ROOT"/src.tmp.*	# left by an interrupted run (we hold the lock)
	# Without the tree's own .git; a tree built in place is cleaned (in the
	# copy), since Kbuild refuses O= on a source tree with a .config.
	mkdir -p "$tmp" &&
	tar -C "$QT_KDIR" --exclude=./.git -cf - . | tar -C "$tmp" -xf - ||
		{ rm -rf "$tmp"; qt_die "cannot copy $QT_KDIR to $tmp"; }
	if [ -e "$tmp/.config" ] || [ -d "$tmp/include/config" ]; then
		make -s -C "$tmp" mrproper >/dev/null 2>&1 ||
			{ rm -rf "$tmp"; qt_die "make mrproper failed in the copy of $QT_KDIR"; }
	fi
	(cd "$tmp" &&
	 git init -q &&
	 git config user.name pinconv && git config user.email pinconv@localhost &&
	 git config gc.auto 0 && git config core.autocrlf false &&
	 git add -A -f . && git commit -q -m pristine --no-verify &&
	 git tag pristine) >/dev/null || { rm -rf "$tmp"; qt_die "git init of the scratch copy failed"; }
	mv "$tmp" "$QT_SRC"
}

# qt_checkout [PATCH...]: pristine tree plus the given patches.
qt_checkout() {
	(cd "$QT_SRC" && git am --abort >/dev/null 2>&1
	 git reset -q --hard pristine && git clean -q -fdx) ||
		qt_die "cannot reset the scratch copy $QT_SRC"
	[ $# -eq 0 ] && return 0
	if ! (cd "$QT_SRC" && git am -q --keep-cr "$@") >"$QT_ROOT/am.log" 2>&1; then
		(cd "$QT_SRC" && git am --abort >/dev/null 2>&1)
		sed -n '1,5p' "$QT_ROOT/am.log" >&2
		qt_die "the series does not apply to $QT_KDIR with git am" 1
	fi
}

# qt_touched_files: files the applied series changed.
qt_touched_files() {
	(cd "$QT_SRC" && git diff --name-only pristine HEAD)
}

# qt_seed_obj: a new object directory for extra symbols starts as a copy of
# the key's plain build ($QT_ROOT/obj), when that one is complete.
qt_seed_obj() {
	local base=$QT_ROOT/obj
	[ "$QT_OBJ" = "$base" ] && return 0
	[ -f "$QT_OBJ/.pinconv-config-ok" ] && return 0
	[ -f "$base/.pinconv-config-ok" ] && [ -f "$base/arch/x86/boot/bzImage" ] || return 0
	qt_log "seeding $QT_OBJ from $base"
	rm -rf "$QT_OBJ" "$QT_OBJ.tmp"
	cp -a "$base" "$QT_OBJ.tmp" && mv "$QT_OBJ.tmp" "$QT_OBJ" ||
		{ rm -rf "$QT_OBJ.tmp"; qt_die "cannot copy $base to $QT_OBJ"; }
}

# qt_config SYMBOL...: tinyconfig + fragment + SYMBOLs, each checked.
qt_config() {
	local obj=$QT_OBJ cfg=$QT_OBJ/.config s want=() off=() missing=()
	# The stamp says a previous run finished this; otherwise start afresh.
	if [ ! -f "$obj/.pinconv-config-ok" ]; then
		make -s -C "$QT_SRC" O="$obj" tinyconfig >"$QT_ROOT/config.log" 2>&1 ||
			qt_die "make tinyconfig failed (log: $QT_ROOT/config.log)"
	fi
	want=($(sed -n 's/^CONFIG_\([A-Za-z0-9_]*\)=y$/\1/p' "$QT_FRAGMENT") "$@")
	# "# CONFIG_X is not set" lines switch off what a =y symbol would
	# otherwise bring in by default (IPV6 with INET).
	off=($(sed -n 's/^# CONFIG_\([A-Za-z0-9_]*\) is not set$/\1/p' "$QT_FRAGMENT"))
	for s in "${want[@]}"; do
		"$QT_SRC/scripts/config" --file "$cfg" -e "$s"
	done
	for s in ${off[@]+"${off[@]}"}; do
		"$QT_SRC/scripts/config" --file "$cfg" -d "$s"
	done
	make -s -C "$QT_SRC" O="$obj" olddefconfig >>"$QT_ROOT/config.log" 2>&1 ||
		qt_die "make olddefconfig failed (log: $QT_ROOT/config.log)"
	for s in "${want[@]}"; do
		grep -qx "CONFIG_$s=y" "$cfg" || missing+=("$s")
	done
	for s in ${off[@]+"${off[@]}"}; do
		grep -q "^CONFIG_$s=" "$cfg" && missing+=("$s (wanted off)")
	done
	# QT_LENIENT (all mode): a symbol given here (not one of the fragment)
	# that does not stick is recorded in QT_NOT_ENABLED with its reason.
	QT_NOT_ENABLED=()
	if [ -n "${QT_LENIENT:-}" ] && [ ${#missing[@]} -gt 0 ]; then
		local frag=() keep=()
		frag=($(sed -n 's/^CONFIG_\([A-Za-z0-9_]*\)=y$/\1/p' "$QT_FRAGMENT"))
		for s in "${missing[@]}"; do
			if printf '%s\n' "${frag[@]}" | grep -qx "$s"; then
				keep+=("$s")
			else
				QT_NOT_ENABLED+=("CONFIG_$s: $(qt_kconfig_reason "$s")")
			fi
		done
		missing=(${keep[@]+"${keep[@]}"})
	fi
	[ ${#missing[@]} -eq 0 ] ||
		qt_die "Kconfig symbols did not stick after olddefconfig: ${missing[*]} (see $cfg)"
	: >"$obj/.pinconv-config-ok"
}

# qt_kconfig_reason SYMBOL: why SYMBOL cannot be =y here, from its Kconfig
# entry in $QT_SRC: its "depends on" lines (the entry's own; an enclosing
# if/menu can add more), or that no entry exists.
qt_kconfig_reason() {
	local deps
	deps=$(grep -rh --include='Kconfig*' -A40 -E "^(menu)?config $1\$" "$QT_SRC" 2>/dev/null |
		awk 'NR > 1 && /^(menu)?config |^(end)?(menu|if|choice)|^source / { exit }
		     /^[ \t]+depends on / { sub(/^[ \t]+depends on /, ""); print }' |
		sort -u | paste -sd';' | sed 's/;/; /g')
	if [ -n "$deps" ]; then
		echo "depends on $deps"
	elif grep -rqs --include='Kconfig*' -E "^(menu)?config $1\$" "$QT_SRC"; then
		echo "does not stick on x86 (no depends on line: an enclosing if/menu, or a choice)"
	else
		echo "no such Kconfig symbol in this tree"
	fi
}

# qt_build: bzImage, UAPI headers, gen_init_cpio.
qt_build() {
	local t0=$SECONDS
	if ! make -C "$QT_SRC" O="$QT_OBJ" -j"${QT_JOBS:-2}" bzImage headers_install \
			>"$QT_ROOT/build.log" 2>&1; then
		grep -E 'error|Error' "$QT_ROOT/build.log" | head -5 >&2
		qt_die "kernel build failed (log: $QT_ROOT/build.log)" 1
	fi
	[ -x "$QT_OBJ/usr/gen_init_cpio" ] ||
		make -s -C "$QT_SRC" O="$QT_OBJ" usr/gen_init_cpio >>"$QT_ROOT/build.log" 2>&1 ||
		qt_die "cannot build usr/gen_init_cpio (log: $QT_ROOT/build.log)"
	qt_log "kernel built in $((SECONDS - t0)) s ($QT_OBJ)"
}
