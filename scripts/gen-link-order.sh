#!/usr/bin/env bash
# Writes scripts/link-order.txt: the functions of the sluice binary that the daemon
# (and, after them, the everyday one-shot commands) actually run, in the order they
# first ran. scripts/build.sh hands it to lld (--symbol-ordering-file), which lays
# those functions out next to each other (scripts/link-order.ld places LLVM's
# unnamed private functions, which have no symbol to list, right before them).
#
# Why: the kernel maps a binary's code 64 KiB at a time around each page it
# executes ("fault-around"). The daemon runs ~1.5 MiB of the binary's ~28 MiB of
# code, but scattered over most of it, so ~19 MiB of code was resident; packed
# together it is a few MiB (figures in bench/README.md, "Footprint").
#
#   scripts/gen-link-order.sh [swift build arguments, e.g. --scratch-path DIR]
#
# It builds with scripts/build.sh (with a link map), profiles that binary under
# callgrind, and writes the files; build again afterwards to use them.
# Run it again after large changes: a function renamed since is simply not
# ordered (the build still works, the footprint creeps up; bench/poll.sh shows it).
# Needs valgrind (callgrind), git, curl, python3 and the PostgreSQL server packages;
# takes about two minutes. It starts its own throwaway PostgreSQL cluster.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"

say() { printf '==> %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
for tool in valgrind git curl python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required (apt-get install $tool)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-order.XXXXXX")
pg_dir=""
daemon_pid=""
cleanup() {
    if [[ -n $daemon_pid ]]; then kill -TERM "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
    if [[ -n $pg_dir ]]; then sluice_pg_stop "$pg_dir"; fi
    if [[ -n ${KEEP_WORK:-} ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
# The first run has no order yet: start from an empty one (the build then still
# uses lld and function sections, so that its link map names every function).
[[ -f scripts/link-order.txt ]] || : >scripts/link-order.txt
say "building with a link map (scripts/build.sh)"
bin=$(SLUICE_LINK_MAP=$work/sluice.map bash "$repo/scripts/build.sh" "$@")
[[ -s $work/sluice.map ]] || die "the build wrote no link map: is ld.lld next to swift?"


# Valgrind cannot read the debug info of a binary this large: profile a copy
# without it (the symbol table, which is all the order file needs, stays).
target=$work/sluice
strip --strip-debug -o "$target" "$bin"
valgrind=$(command -v valgrind)
callgrind() {
    local name=$1
    shift
    "$valgrind" --tool=callgrind --demangle=no --callgrind-out-file="$work/$name.cg" "$target" "$@"
}

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-order-pg.XXXXXX")
sluice_pg_start "$pg_dir"
createdb sluice_order
export SLUICE_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/sluice_order"

# A Git repository from migrations/, as the demo makes it.
gitc() { git -C "$work/clone" -c user.name="Order Profile" -c user.email=order@example.invalid "$@"; }
git init -q --bare -b main "$work/remote.git"
git clone -q "$work/remote.git" "$work/clone" 2>/dev/null
mkdir -p "$work/clone/migrations"
cp migrations/*.sql "$work/clone/migrations/"
"$bin" hash --dir "$work/clone/migrations" >/dev/null
gitc add -A && gitc commit -q -m "Initial schema" && gitc push -q origin HEAD:main

port=$((20000 + RANDOM % 20000))
export SLUICE_REPOSITORY_URL=$work/remote.git SLUICE_REPOSITORY_BRANCH=main SLUICE_REPOSITORY_PATH=migrations
export SLUICE_REPOSITORY_STATE_DIR=$work/state SLUICE_DAEMON_CONTROL_SOCKET=$work/control.sock
export SLUICE_REPOSITORY_POLL_INTERVAL=200ms
# No child processes under valgrind, which does not know the pidfd_open system call
# that swift-subprocess spawns them with (the spawn fails and swift-subprocess
# stops the process): rehearsals clone with CREATE DATABASE … TEMPLATE, and the
# daemon's PATH has no Graphviz `dot` (no dashboard diagrams to draw).
export SLUICE_REHEARSAL_STRATEGY=template
mkdir -p "$work/no-programs"
unset SLUICE_CONFIG

# profile_daemon NAME HTTP — start the daemon under callgrind and wait for it.
profile_daemon() {
    # valgrind itself in the background (not a shell function), so that $! is its pid.
    PATH=$work/no-programs SLUICE_DAEMON_HTTP=$2 "$valgrind" --tool=callgrind --demangle=no --callgrind-out-file="$work/$1.cg" \
        "$target" daemon run --log-level info >"$work/$1.log" 2>&1 &
    daemon_pid=$!
    for ((i = 0; i < 600; i++)); do
        "$bin" daemon status >/dev/null 2>&1 && return 0
        kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/$1.log" >&2; die "the daemon exited"; }
        sleep 0.2
    done
    die "the daemon did not answer within 2 minutes"
}
stop_daemon() {
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || true
    daemon_pid=""
}
trigger() { "$bin" daemon trigger --wait --timeout 300 >/dev/null || die "a triggered cycle failed: $(tail -n 5 "$work"/daemon*.log)"; }

say "the daemon under callgrind: start, rehearse and apply, a new migration, a revert, polls"
profile_daemon daemon off
trigger
printf 'CREATE TABLE order_profile (id int PRIMARY KEY);\n' >"$work/clone/migrations/9000_order_profile.up.sql"
printf 'DROP TABLE order_profile;\n' >"$work/clone/migrations/9000_order_profile.down.sql"
"$bin" hash --dir "$work/clone/migrations" >/dev/null
gitc add -A && gitc commit -q -m "Add order_profile" && gitc push -q origin HEAD:main
trigger
gitc revert --no-edit HEAD >/dev/null && gitc push -q origin HEAD:main
trigger
"$bin" daemon status >/dev/null
sleep 10 # no-change polls
stop_daemon

say "the daemon under callgrind again, with HTTP: start, polls, the health, metrics and API endpoints"
profile_daemon daemon-http "127.0.0.1:$port"
for path in healthz readyz metrics api/status; do curl -fsS -o /dev/null "http://127.0.0.1:$port/$path" || true; done
trigger
sleep 5
stop_daemon

say "one-shot commands under callgrind: lint, plan, status"
callgrind lint lint --dir migrations >/dev/null 2>&1 || true
callgrind plan plan --dir "$work/clone/migrations" >/dev/null 2>&1 || true
callgrind status status --dir "$work/clone/migrations" >/dev/null 2>&1 || true

say "writing scripts/link-order.txt"
python3 "$repo/scripts/link-order.py" "$target" "$work/sluice.map" "$repo/scripts/link-order.txt" \
    "$work"/daemon.cg "$work"/daemon-http.cg "$work"/lint.cg "$work"/plan.cg "$work"/status.cg
say "done: build again (scripts/build.sh) to use them"
