#!/usr/bin/env bash
# The whole Sluice test suite; .ci/run calls this and nothing else.
#
#   scripts/test.sh [ARGS...]     ARGS go to `swift test` (e.g. --filter LintTests)
#
# Installs the system packages, starts a throwaway PostgreSQL cluster (always
# stopped and deleted on exit), builds the shipped binary (scripts/build.sh) and the
# tests, and runs `swift test` against the cluster; the tests that start `sluice` as a
# process run the shipped binary (SLUICE_TEST_BINARY), unit tests the debug build. The
# integration tests find the server through SLUICE_TEST_DATABASE_URL, with the
# password in PGPASSFILE (see scripts/lib/pg.sh). Never prompts (CI=true safe).
# Exits with swift test's exit code.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"

phase() { printf '\n=== %s ===\n' "$*"; }

# Nothing below may wait for a keyboard: no stdin, no pagers.
export DEBIAN_FRONTEND=noninteractive
export PAGER=cat PSQL_PAGER=cat
if [[ ${CI:-} == true ]]; then
    exec </dev/null
fi

phase "Installing system packages"
sluice_install_deps chromium

phase "Starting a throwaway PostgreSQL cluster"
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-test-pg.XXXXXX")
# shellcheck disable=SC2317  # called from the traps
cleanup() { sluice_pg_stop "$pg_dir"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
sluice_pg_start "$pg_dir"
echo "SLUICE_TEST_DATABASE_URL=$SLUICE_TEST_DATABASE_URL (password via PGPASSFILE=$PGPASSFILE)"

phase "Toolchain"
swift --version 2>&1 | head -n 2
psql --version

phase "Building the shipped binary (scripts/build.sh)"
# The end-to-end tests (everything that starts `sluice` as a process: CLI, daemon, crash,
# rehearsal, HTTP) run the release binary users get, not the debug build.
SLUICE_TEST_BINARY=$(bash scripts/build.sh)
export SLUICE_TEST_BINARY
echo "end-to-end tests run $SLUICE_TEST_BINARY"

phase "Building the tests (swift build --build-tests)"
swift build --build-tests

phase "Running tests (swift test $*)"
set +e
swift test "$@"
rc=$?
set -e

phase "swift test exited with $rc"
exit "$rc"
