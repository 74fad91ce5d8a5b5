/// Find every call of the page-acquiring family (get_user_pages*,
/// pin_user_pages*, iov_iter_get_pages*, iov_iter_extract_pages and the
/// one-page wrappers) and print one JSON object per call: file, line,
/// column, enclosing function and callee.  The family is not fixed here:
/// scripts/scan.py reads it from the tree's include/linux/mm.h and
/// include/linux/uio.h and passes it in PINCONV_FAMILY (comma-separated),
/// because names come and go between kernel versions.
///
// Confidence: High
// Options: --no-includes --include-headers

virtual report

@initialize:python@
@@
import json
import os

FAMILY = frozenset(os.environ.get("PINCONV_FAMILY", "").split(","))

def is_acquirer(name):
    return name in FAMILY

@call@
identifier acq : script:python() { is_acquirer(acq) };
position p;
@@
acq@p(...)

@script:python@
acq << call.acq;
p << call.p;
@@
for q in p:
    print(json.dumps({"file": q.file, "line": int(q.line),
                      "col": int(q.column), "function": q.current_element,
                      "api": acq}, sort_keys=True))
