#!/bin/sh
# Run each fuzz target for SECONDS with its seed corpus (tests/fuzz/corpus/NAME).
# New inputs go to a scratch folder, so the committed corpus stays small;
# a crash leaves its input in tests/fuzz/crashes/ and fails the run.
SECONDS_EACH=$1; shift
mkdir -p tests/fuzz/crashes
status=0
for bin in "$@"; do
    name=$(basename "$bin"); name=${name#fuzz_}
    scratch=$(mktemp -d)
    seeds=tests/fuzz/corpus/$name
    [ -d "$seeds" ] || seeds=""
    if "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix=tests/fuzz/crashes/ \
            "$scratch" $seeds > "$scratch.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch.log" | grep -o '[0-9]*$')
        echo "fuzz  $name: ${runs:-?} executions, no finding"
    else
        tail -n 30 "$scratch.log"
        echo "FAIL  fuzz $name: see tests/fuzz/crashes/"
        status=1
    fi
    rm -rf "$scratch" "$scratch.log"
done
exit $status
