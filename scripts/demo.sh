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

banner "Building Sluice (scripts/build.sh: swift build -c release, static Swift runtime; the first build takes a few minutes)"
sluice=$(bash "$repo/scripts/build.sh")
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

# Part 1: one-shot commands over the folder (what a CI job or a Kubernetes Job runs).
step lint --dir "$dir"          # PostgreSQL's parser over every migration: clean here
step plan --dir "$dir"
step rehearse --dir "$dir"      # clone (rehearsal.strategy dump), run the plan + down/up check; production untouched
step apply --dir "$dir"         # rehearses again, then applies under the lock
step status --dir "$dir"
banner "psql: a change behind Sluice's back (schema drift)"
psql -q -d sluice_demo -c "CREATE TABLE made_by_hand (id int)"
step status --dir "$dir"
step resolve --accept-drift
step rollback --to "$third" --yes --reason "demo" --dir "$dir"
step release --all
step apply --dir "$dir"

# Part 2: the daemon watching a Git branch, on a second database.
banner "Making a Git repository from $dir/ and starting the daemon"
createdb sluice_demo_daemon
export SLUICE_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/sluice_demo_daemon"
git_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo-git.XXXXXX")
gitc() { git -C "$git_dir/work" -c user.name="Demo Dev" -c user.email=dev@example.com "$@"; }
git init -q --bare -b main "$git_dir/remote.git"
git clone -q "$git_dir/remote.git" "$git_dir/work" 2>/dev/null
mkdir -p "$git_dir/work/migrations"
cp "$dir"/*.sql "$dir"/sluice.sum "$git_dir/work/migrations/" 2>/dev/null || cp "$dir"/*.sql "$git_dir/work/migrations/"
gitc add -A && gitc commit -q -m "Initial schema" && gitc push -q origin HEAD:main
export SLUICE_REPOSITORY_URL="$git_dir/remote.git" SLUICE_REPOSITORY_PATH=migrations
export SLUICE_REPOSITORY_STATE_DIR="$git_dir/state" SLUICE_DAEMON_CONTROL_SOCKET="$git_dir/control.sock"
export SLUICE_REPOSITORY_POLL_INTERVAL=1h   # the demo drives cycles with `daemon trigger --wait`
"$sluice" daemon run --log-level warning &
daemon_pid=$!
stop_daemon() { kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true; rm -rf "$git_dir"; }
trap 'stop_daemon; cleanup' EXIT
for _ in $(seq 100); do "$sluice" daemon status >/dev/null 2>&1 && break; sleep 0.1; done

step daemon trigger --wait
step daemon status

banner "git commit: a new migration (0099_add_coupons)"
printf 'CREATE TABLE coupons (code text PRIMARY KEY, percent int NOT NULL);\n' > "$git_dir/work/migrations/0099_add_coupons.up.sql"
printf 'DROP TABLE coupons;\n' > "$git_dir/work/migrations/0099_add_coupons.down.sql"
"$sluice" hash --dir "$git_dir/work/migrations" >/dev/null
gitc add -A && gitc commit -q -m "Add coupons" && gitc push -q origin HEAD:main
added=$(gitc rev-parse HEAD)
step daemon trigger --wait

banner "git revert $added: the daemon runs the recorded down"
gitc revert --no-edit "$added" >/dev/null && gitc push -q origin HEAD:main
step daemon trigger --wait

step rollback --to "$third" --yes --reason "on-call: bad deploy" --dir "$git_dir/work/migrations"
step daemon trigger --wait
step status --dir "$git_dir/work/migrations"
step release --all
step daemon trigger --wait
step history --limit 12

banner "Done"
