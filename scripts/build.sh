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
# The C libraries stay shared: the binary needs libpq5, libgit2-1.5 and
# libpg-query1504.0 at run time. It is not stripped, so crash backtraces name
# functions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
flags=(-c release --product sluice --static-swift-stdlib -Xlinker -no-pie -Xlinker --no-export-dynamic)
swift build "${flags[@]}" "$@" >&2
printf '%s/sluice\n' "$(swift build "${flags[@]}" "$@" --show-bin-path)"
