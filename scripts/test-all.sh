#!/bin/bash
# Everything `make test` runs, in order, with one summary line at the end:
#   1. the -O2 build (warnings are errors; each layer links alone), the
#      layering check (LAYERS, scripts/check-layers.py) and its test, and
#      the unit tests
#   2. the ASan/UBSan build and its unit tests
#   3. the integration suite (real MariaDB, Redis, nginx, the WeChat
#      simulator, headless Chromium) against the sanitized server
#   4. the integration suite against the -O2 server (only if step 1 built)
#   5. the WeChat simulator's own tests, on a simulator of their own
#   6. every saved crash input replayed, then every fuzz target for
#      FUZZ_SECONDS (default 15) each
# Longer runs: `make fuzz-long`, `make bench`.
set -u
cd "$(dirname "$0")/.."
passed=0; failed=0
log=$(mktemp)

# Add the "N passed, N failed" of a step to the totals.
tally() {
    local line p f
    line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL  $1: no summary (exit $2)"; failed=$((failed + 1)); return
    fi
    p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
}

step() {
    local name=$1; shift
    echo "== $name"
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    tally "$name" "$rc"
}

build() {
    if ! make -j2 "$@" all > "$log.build" 2>&1; then
        cat "$log.build"; echo "FAIL  build $*"; failed=$((failed + 1)); return 1
    fi
}

FUZZ_SECONDS=${FUZZ_SECONDS:-15}
# The -O2 suite runs only against a binary this run built: after a failed
# build, build/quizd may be an old one that passes tests the code fails.
o2_built=0
if build; then
    o2_built=1
    step "layers" make -s check-layers
    step "unit tests (-O2)" scripts/run-unit-tests.sh build
fi
if build SANITIZER=address,undefined; then
    step "unit tests (ASan/UBSan)" scripts/run-unit-tests.sh build-asan
    step "integration (ASan/UBSan server)" python3 tests/integration/run.py --build build-asan
fi
if [ "$o2_built" -eq 1 ]; then
    step "integration (-O2 server)" python3 tests/integration/run.py --build build
else
    echo "FAIL  integration (-O2 server): not run, the -O2 build failed"; failed=$((failed + 1))
fi
# The simulator's own tests, on a simulator of their own, counted apart
# from the product's.
step "WeChat simulator (wx/wxsim.py)" python3 tests/integration/test_wxsim.py
echo "== fuzz ($FUZZ_SECONDS s each)"
if make -j2 fuzz FUZZ_SECONDS="$FUZZ_SECONDS" 2>&1 | tee "$log"; then rc=0; else rc=1; fi
fp=$(grep -c '^fuzz ' "$log"); ff=$(grep -c '^FAIL  fuzz' "$log")
passed=$((passed + fp)); failed=$((failed + ff))
[ $rc -ne 0 ] && [ "$ff" -eq 0 ] && failed=$((failed + 1))
rm -f "$log" "$log.build"
echo
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
