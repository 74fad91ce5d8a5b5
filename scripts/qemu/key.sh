# key.sh — the build key: tree path + fragment + extra symbols + compiler.
# Sourced; sets QT_KEY from QT_KDIR, QT_FRAGMENT and QT_EXTRA_SYMS.
QT_KEY=$({ realpath "$QT_KDIR"; cat "$QT_FRAGMENT"; echo "extra: ${QT_EXTRA_SYMS:-}";
	   gcc --version | head -1; } | sha1sum | cut -c1-10)
