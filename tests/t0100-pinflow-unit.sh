#!/bin/bash
# The C solver: built with -Wall -Wextra -Werror, its cmocka unit tests
# run, and bad input gives one line and exit 2.
. "$(dirname "$0")/lib.sh"

test_expect_success 'pinflow builds and its cmocka tests pass' '
	cp -r "$PINCONV/scripts/pinflow" src && make -s -C src clean &&
	make -s -C src pinflow test_solve && src/test_solve >out 2>&1 &&
	cat out && grep "PASSED.*10 test" out
'

test_expect_success 'pinflow solves a graph file: CONVERT with its chain' '
	cat >g.json <<-\EOF &&
	{"nodes": ["S:a.c:3:8", "L:a.c:f:pages", "X:a.c:9:2"],
	 "hops": [{"file": "a.c", "line": 3, "what": "get_user_pages_fast(pages)"},
	          {"file": "a.c", "line": 9, "what": "put_page(pages[i])"},
	          {"file": "a.c", "line": 5, "what": "kmap(pages[0])"}],
	 "edges": [[0, 1, 0], [1, 2, 1]],
	 "seeds": [{"node": 0, "kind": "get", "hop": 0, "acq": 0, "iter": -1}],
	 "flags": [[1, "cpu", 2]],
	 "releases": [{"node": 2, "class": "put", "hop": 1}]}
	EOF
	src/pinflow g.json sol.json &&
	json_get sol.json "(j[\"releases\"][0][\"verdict\"], j[\"releases\"][0][\"chain\"], j[\"acquisitions\"][0][\"releases\"])" >got &&
	echo "('\''CONVERT'\'', [0, 1], [0])" >expect && test_cmp expect got
'

test_expect_success 'pinflow on a bad graph: one line, exit 2, no output file' '
	echo "{\"nodes\": [], \"edges\": [[0, 9, 0]], \"hops\": [], \"seeds\": [], \"flags\": [], \"releases\": []}" >bad.json &&
	src/pinflow bad.json badsol.json 2>err; test $? = 2 &&
	test $(wc -l <err) = 1 && grep "^pinflow: bad.json: bad edge" err && ! test -e badsol.json
'
test_done
