#!/bin/sh
# Run every unit test program of a build folder and add up their
# "N passed, N failed" lines. Exits non-zero when anything failed.
BUILD=${1:-build}
passed=0; failed=0; broken=""
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -n 20
        echo "FAIL  $(basename "$t"): no summary line (exit $rc)"
        failed=$((failed + 1)); broken="$broken $(basename "$t")"
        continue
    fi
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ] || [ $rc -ne 0 ]; then
        printf '%s\n' "$out" | grep -v '^ok' | tail -n 40
        broken="$broken $(basename "$t")"
        [ "$f" -eq 0 ] && failed=$((failed + 1))
    fi
    echo "unit  $(basename "$t"): $line"
done
[ -n "$broken" ] && echo "failing:$broken"
echo "unit ($BUILD): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
