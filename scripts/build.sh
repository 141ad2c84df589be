#!/usr/bin/env bash
# Builds the release binary the way Sluice ships it and prints its path.
#
#   scripts/build.sh [extra swift build arguments, e.g. --scratch-path DIR]
#
# The flags, and why (figures in bench/README.md, "Start-up and footprint"):
#   --static-swift-stdlib      the Swift runtime and Foundation are linked in: no
#                              Swift toolchain needed where it runs, and no dozen
#                              Swift libraries to load and relocate at every start.
#   -Xlinker -no-pie           a position-dependent executable: the loader does not
#                              relocate its ~180,000 pointers at start (faster start,
#                              ~3 MB less resident). The binary's own code is then
#                              not address-randomised (the libraries, heap and stack
#                              still are), as with Go-built tools such as dbmate and
#                              golang-migrate. Build without it if your policy
#                              requires PIE: everything works the same.
#   -Xlinker --no-export-dynamic  the binary does not export its ~40,000 symbols to
#                              the dynamic loader (every library load searched them).
#   lld with scripts/link-order.txt  every function in a section of its own
#                              (-function-sections), and the linker lays out the
#                              functions the daemon runs next to each other
#                              (--symbol-ordering-file). The kernel maps code 64 KiB
#                              at a time around each page executed; packed, the
#                              daemon's ~1.5 MiB of code costs a few MiB of memory
#                              instead of ~19 (scripts/gen-link-order.sh writes the
#                              file). Skipped, with a note, when the toolchain has no
#                              ld.lld: everything works, the daemon uses more memory.
# The C libraries stay shared: the binary needs libpq5, libgit2-1.5 and
# libpg-query1504.0 at run time. It is not stripped, so crash backtraces name
# functions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
flags=(-c release --product sluice --static-swift-stdlib -Xlinker -no-pie -Xlinker --no-export-dynamic)
order=$PWD/scripts/link-order.txt
order_script=$PWD/scripts/link-order.ld
swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
if [[ -f $order && -f $order_script ]] && { [[ -x $swift_bin/ld.lld ]] || command -v ld.lld >/dev/null 2>&1; }; then
    # -function-sections goes to the frontend as such: SwiftPM rejects it as a driver flag.
    flags+=(-Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xswiftc -use-ld=lld
        -Xlinker "--symbol-ordering-file=$order" -Xlinker --no-warn-symbol-ordering -Xlinker -T -Xlinker "$order_script")
    relink=0
    # SLUICE_LINK_MAP=FILE: also write lld's link map (scripts/gen-link-order.sh reads it).
    if [[ -n ${SLUICE_LINK_MAP:-} ]]; then
        flags+=(-Xlinker "-Map=$SLUICE_LINK_MAP")
        relink=1
    fi
    # SwiftPM does not relink when only the order files changed.
    bin_dir=$(swift build "${flags[@]}" "$@" --show-bin-path)
    if [[ -f $bin_dir/sluice ]] && ((relink)) || [[ $order -nt $bin_dir/sluice || $order_script -nt $bin_dir/sluice ]]; then
        rm -f "$bin_dir/sluice"
    fi
else
    printf 'note: no ld.lld next to swift (or no scripts/link-order.*): the binary is linked\n      without the function order, and the daemon keeps ~10 MiB more code resident\n' >&2
fi
swift build "${flags[@]}" "$@" >&2
bin="$(swift build "${flags[@]}" "$@" --show-bin-path)/sluice"
# A stale order (functions renamed or removed since scripts/gen-link-order.sh ran) still
# links, but what it no longer names stays scattered: say so when much of it is gone.
if [[ -n ${bin_dir:-} ]] && command -v nm >/dev/null 2>&1; then
    listed=$(LC_ALL=C sort -u "$order" | wc -l)
    found=$({ nm --defined-only "$bin" || true; } | awk '{ print $3 }' | LC_ALL=C sort -u | LC_ALL=C comm -12 - <(LC_ALL=C sort -u "$order") | wc -l)
    if ((listed > 0 && found * 100 < listed * 90)); then
        printf 'note: only %d of the %d functions in scripts/link-order.txt are in the binary: run\n      scripts/gen-link-order.sh to bring the order up to date (the daemon keeps more code resident)\n' "$found" "$listed" >&2
    fi
fi
printf '%s\n' "$bin"
