# shellcheck shell=bash
# bench/lib.sh — what the bench scripts share. Sourced after scripts/lib/pg.sh.
# shellcheck disable=SC2034  # pg_dir and own_cluster are read by the scripts that source this

say() { printf '==> %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# bench_server PREFIX — PGHOST, PGPORT and PGUSER of the server to measure on: a
# throwaway cluster in its own mktemp dir named PREFIX (sets pg_dir and
# own_cluster=1; the postgres OS user cannot enter a 0700 work dir), or the server
# of SLUICE_TEST_DATABASE_URL (own_cluster=0; the password must not be in the URL).
bench_server() {
    if [[ -z ${SLUICE_TEST_DATABASE_URL:-} ]]; then
        pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
        sluice_pg_start "$pg_dir"
        own_cluster=1
        return 0
    fi
    local url_re='^postgres(ql)?://([^:@/]+)@([^:/?]+)(:([0-9]+))?(/[^?]*)?'
    [[ $SLUICE_TEST_DATABASE_URL =~ $url_re ]] \
        || { say "SLUICE_TEST_DATABASE_URL must look like postgresql://USER@HOST:PORT/DB (no password; use PGPASSFILE)"; exit 2; }
    export PGUSER=${BASH_REMATCH[2]} PGHOST=${BASH_REMATCH[3]} PGPORT=${BASH_REMATCH[5]:-5432}
    say "using the server at $PGHOST:$PGPORT as $PGUSER"
    own_cluster=0
}

# bench_sluice_src REPO — prints the binary to measure: $SLUICE_BIN, else
# REPO/.build/release/sluice, built with scripts/build.sh when missing (not with
# SKIP_BUILD=1).
bench_sluice_src() {
    if [[ -n ${SLUICE_BIN:-} ]]; then printf '%s\n' "$SLUICE_BIN"; return 0; fi
    local src=$1/.build/release/sluice
    if [[ ! -x $src && ${SKIP_BUILD:-0} != 1 ]]; then
        say "no $src: scripts/build.sh (the first build takes a few minutes)"
        bash "$1/scripts/build.sh" >/dev/null || say "scripts/build.sh failed"
    fi
    printf '%s\n' "$src"
}

# bench_stats "t1 t2 ..." — prints "min median max".
bench_stats() {
    tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '
        { v[NR] = $1 }
        END {
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f\n", v[1], med, v[NR]
        }'
}

# stop_daemon — SIGTERM the daemon at $daemon_pid, wait (bounded), then SIGKILL.
# Safe to call twice.
stop_daemon() {
    [[ -n ${daemon_pid:-} ]] || return 0
    local i
    kill -TERM "$daemon_pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$daemon_pid" 2>/dev/null; then
        say "the daemon did not stop within 20s; killing it"
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
}
