#!/bin/sh
# Run each fuzz target for SECONDS with its seed corpus (tests/fuzz/corpus/NAME).
# New inputs go to a scratch folder, so the committed corpus stays small;
# a crash leaves its input in tests/fuzz/crashes/NAME-crash-... and fails the run.
#
# Before fuzzing, every input saved there by an earlier run is replayed
# against its target (files named NAME-*), and inputs saved before the names
# carried the target (crash-*, leak-*, timeout-*, oom-*) against every target:
# a crash found once fails every later run until the code is fixed and the
# file removed, whatever the new random run happens to find.
SECONDS_EACH=$1; shift
crashes=tests/fuzz/crashes
mkdir -p "$crashes"
status=0
for bin in "$@"; do
    name=$(basename "$bin"); name=${name#fuzz_}
    saved=$(find "$crashes" -maxdepth 1 -type f \( -name "$name-*" -o -name 'crash-*' -o -name 'leak-*' \
            -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    if [ -n "$saved" ]; then
        n=$(echo "$saved" | wc -l)
        log=$(mktemp)
        # shellcheck disable=SC2086
        if "$bin" -runs=1 -timeout=25 $saved > "$log" 2>&1; then
            echo "fuzz  $name: $n saved input(s) replayed, no finding"
        else
            tail -n 30 "$log"
            echo "FAIL  fuzz $name: a saved input in $crashes/ still fails"
            status=1
        fi
        rm -f "$log"
    fi
    scratch=$(mktemp -d)
    seeds=tests/fuzz/corpus/$name
    [ -d "$seeds" ] || seeds=""
    if "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$crashes/$name-" \
            "$scratch" $seeds > "$scratch.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch.log" | grep -o '[0-9]*$')
        echo "fuzz  $name: ${runs:-?} executions, no finding"
    else
        tail -n 30 "$scratch.log"
        echo "FAIL  fuzz $name: see $crashes/"
        status=1
    fi
    rm -rf "$scratch" "$scratch.log"
done
exit $status
