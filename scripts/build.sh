#!/usr/bin/env bash
# Builds the release binary the way Sluice ships it and prints its path.
#
#   scripts/build.sh [extra swift build arguments, e.g. --scratch-path DIR]
#
# The flags, and why:
#   --static-swift-stdlib      the Swift runtime and Foundation are linked in: no
#                              Swift toolchain needed where it runs, and no dozen
#                              Swift libraries to load and relocate at every start.
#   -Xlinker --no-export-dynamic  the binary's own ~40,000 symbols stay out of
#                              the dynamic symbol table (the static Swift runtime's
#                              link arguments add --export-dynamic): libpq, libgit2
#                              and the libraries they load cannot bind to them by
#                              accident, and the loader has a smaller table to
#                              search. Nothing looks them up at run time, and crash
#                              backtraces read the full symbol table (.symtab),
#                              which the binary keeps.
# The executable is position-independent (the default): its code is address-
# randomised like the libraries, heap and stack. The C libraries stay shared: the
# binary needs libpq5, libgit2-1.5 and libpg-query1504.0 at run time. It is not
# stripped, so crash backtraces name functions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
flags=(-c release --product sluice --static-swift-stdlib -Xlinker --no-export-dynamic)
swift build "${flags[@]}" "$@" >&2
printf '%s/sluice\n' "$(swift build "${flags[@]}" "$@" --show-bin-path)"
