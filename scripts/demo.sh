#!/usr/bin/env bash
# A tour of Sluice on a throwaway PostgreSQL server, using the example
# migrations in migrations/: plan, apply, status, roll back to the third
# migration, release the holds, apply again, and show the history.
#
#   scripts/demo.sh          run the tour, then stop and delete the server
#   KEEP=1 scripts/demo.sh   leave the server running afterwards to poke at
#
# Needs root (or sudo) only to install missing Debian packages.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"

# Bold banners on a terminal, plain ones in a log.
if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
banner() { printf '\n%s━━━ %s%s\n' "$bold" "$*" "$plain"; }
sluice=$repo/.build/release/sluice
dir=migrations

banner "Installing system packages (if missing)"
sluice_install_deps

banner "Starting a throwaway PostgreSQL server"
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo-pg.XXXXXX")
cleanup() {
    if [[ ${KEEP:-0} == 1 ]]; then
        cat <<MSG

KEEP=1: the server is still running.
  export PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGUSER=${PGUSER:-} PGPASSFILE=${PGPASSFILE:-}
  export SLUICE_DATABASE_URL=${SLUICE_DATABASE_URL:-}
  psql sluice_demo                       # look around
  source scripts/lib/pg.sh && sluice_pg_stop $pg_dir   # when done
MSG
    else
        sluice_pg_stop "$pg_dir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sluice_pg_start "$pg_dir"

banner "Building Sluice (swift build -c release; the first build takes a few minutes)"
swift build -c release
[[ -x $sluice ]] || { echo "no binary at $sluice after the build" >&2; exit 1; }

banner "Creating database sluice_demo"
createdb sluice_demo
# The URL carries no password: libpq reads it from PGPASSFILE.
export SLUICE_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/sluice_demo"
echo "SLUICE_DATABASE_URL=$SLUICE_DATABASE_URL"

# sluice.sum guards the folder; write it if this checkout has none.
if [[ ! -f $dir/sluice.sum ]]; then
    banner "sluice hash --dir $dir   (no $dir/sluice.sum yet)"
    "$sluice" hash --dir "$dir"
fi

# The version of the third migration, e.g. 0003: the rollback target.
third=$(find "$dir" -maxdepth 1 -name '*.up.sql' -printf '%f\n' | sort | sed -n 3p)
third=${third%%_*}
[[ -n $third ]] || { echo "need at least three migrations in $dir" >&2; exit 1; }

step() {
    banner "sluice $*"
    "$sluice" "$@"
}

step plan --dir "$dir"
step apply --dir "$dir"
step status --dir "$dir"
step rollback --to "$third" --yes --reason "demo" --dir "$dir"
step status --dir "$dir"
step release --all
step apply --dir "$dir"
step history --limit 10

banner "Done"
