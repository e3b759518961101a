#!/bin/sh
# `make bench`: figures, not pass/fail. See scripts/bench.py.
exec python3 "$(dirname "$0")/bench.py" "$@"
