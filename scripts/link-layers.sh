#!/bin/sh
# Links each layer's archive, whole, with only the archives of the layers
# below it (and the system libraries): a call from a lower layer into a
# higher one is then an undefined symbol, even where linking everything
# would have found it. Exits 1 naming the first layer that does so.
#
#   scripts/link-layers.sh DIR LAYER...     (lowest first, as LAYERS lists them)
#
# DIR holds lib<layer>.a for each layer. CC, LDFLAGS and LDLIBS come from
# the environment (the Makefile passes its own).
set -u
dir=$1; shift
CC=${CC:-cc}
stub=$dir/layer_stub
printf 'int main(void) { return 0; }\n' > "$stub.c"
$CC -c -o "$stub.o" "$stub.c" || exit 1
libs=""
for l in "$@"; do
    libs="$dir/lib$l.a $libs"
    # shellcheck disable=SC2086
    if ! $CC ${LDFLAGS:-} -o "$stub" "$stub.o" -Wl,--whole-archive "$dir/lib$l.a" \
            -Wl,--no-whole-archive $libs ${LDLIBS:-}; then
        echo "layer $l/ calls into a higher layer (undefined symbols above; see LAYERS)"
        rm -f "$stub" "$stub.c" "$stub.o"
        exit 1
    fi
done
rm -f "$stub" "$stub.c" "$stub.o"
echo "link-layers: ok ($*)"
