#!/bin/bash
# pinconv-lint.sh — the pinconv lint step of a kernel repository's CI.
#
# Run from the top of a kernel checkout (full history, e.g. fetch-depth: 0):
#
#   PINCONV=/path/to/pinconv [SINCE=<base rev>] [BASELINE=file] \
#           /path/to/pinconv/scripts/ci-example/pinconv-lint.sh
#
# - SINCE: the revision the change is based on (the pull request's base,
#   or the push's "before").  Empty, all zeros (a new branch) or not in
#   the clone: the whole tree is linted.
# - BASELINE: known findings to accept; defaults to
#   .pinconv-lint-baseline.json at the top of the kernel tree when present
#   (make it once with `$PINCONV/scripts/pinconv lint --write-baseline --kdir $PWD --baseline ...`).
# - OUT: where the reports go, default $RUNNER_TEMP/pinconv-lint (or
#   $TMPDIR, /tmp): lint.{txt,json,sarif} (upload lint.sarif to code
#   scanning) next to the plan; nothing is written into the kernel tree.
#   The gcc-style findings are printed into the job log.
#
# Exit status is lint's: 0 clean, 1 error-level findings (pin/put
# mismatches), 2 the tool could not run.
set -uo pipefail
PINCONV=${PINCONV:-$(cd "$(dirname "$0")/../.." && pwd)}
KDIR=${KDIR:-$PWD}
OUT=${OUT:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/pinconv-lint}
SINCE=${SINCE:-}
BASELINE=${BASELINE:-}

if [ -n "$SINCE" ] && { [ -z "${SINCE//0/}" ] ||
	! git -C "$KDIR" rev-parse -q --verify "$SINCE^{commit}" >/dev/null; }; then
	echo "pinconv-lint: base '$SINCE' is not in this clone: linting the whole tree" >&2
	SINCE=
fi
if [ -z "$BASELINE" ] && [ -f "$KDIR/.pinconv-lint-baseline.json" ]; then
	BASELINE=$KDIR/.pinconv-lint-baseline.json
fi

# scripts/pinconv, not make: through make any failure would be make's own
# status 2, and the job could not tell findings (1) from a broken run (2).
"$PINCONV/scripts/pinconv" lint --kdir "$KDIR" --out "$OUT" --since "$SINCE" \
	--baseline "$BASELINE" --format gcc
rc=$?
[ -f "$OUT/lint.sarif" ] && echo "pinconv-lint: SARIF in $OUT/lint.sarif" >&2
exit $rc
