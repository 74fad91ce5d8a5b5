# key.sh — the build key: tree path + fragment + compiler, one scratch copy
# of the tree and one build directory per key; and the object directory for
# the extra Kconfig symbols of a series: obj without any, obj-<hash of the
# symbols> with some (seeded from obj by qt_seed_obj, so that only what the
# symbols change is compiled; the source path, which Kbuild's command lines
# carry, is the same for all of them).
# Sourced; sets QT_KEY and QT_OBJ_NAME from QT_KDIR, QT_FRAGMENT and
# QT_EXTRA_SYMS.
QT_KEY=$({ realpath "$QT_KDIR"; cat "$QT_FRAGMENT"; echo "extra: ";
	   gcc --version | head -1; } | sha1sum | cut -c1-10)
QT_OBJ_NAME=obj
[ -n "${QT_EXTRA_SYMS:-}" ] &&
	QT_OBJ_NAME=obj-$(echo "$QT_EXTRA_SYMS" | sha1sum | cut -c1-10)
