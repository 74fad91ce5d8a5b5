/// Facts: put_page() calls inside a loop that first marks the same page
/// dirty (set_page_dirty() or set_page_dirty_lock()), the shape that
/// becomes unpin_user_pages_dirty_lock(pages, n, dirty) when converted.
/// One JSON line per put_page: "k": "dirtyloop", the page expression
/// and the dirtying call.
//
// Confidence: High (a fact, not a finding)
// Options: --very-quiet --no-includes --include-headers

virtual report

@initialize:python@
@@
import json

def pinconv_emit(k, p, **kw):
    d = dict(k=k, file=p[0].file, line=int(p[0].line),
             col=int(p[0].column), func=p[0].current_element)
    d.update(kw)
    print(json.dumps(d, sort_keys=True))

@dirty_for exists@
expression page;
identifier dirty = {set_page_dirty, set_page_dirty_lock};
position p;
@@
for (...;...;...) {
  ... when any
  dirty(page);
  ... when any
  put_page@p(page);
  ... when any
}

@script:python@
page << dirty_for.page;
dirty << dirty_for.dirty;
p << dirty_for.p;
@@
pinconv_emit("dirtyloop", p, e=page, dirty=dirty)

@dirty_while exists@
expression page;
identifier dirty = {set_page_dirty, set_page_dirty_lock};
position p;
@@
while (...) {
  ... when any
  dirty(page);
  ... when any
  put_page@p(page);
  ... when any
}

@script:python@
page << dirty_while.page;
dirty << dirty_while.dirty;
p << dirty_while.p;
@@
pinconv_emit("dirtyloop", p, e=page, dirty=dirty)
