#!/usr/bin/env bash
# Benchmark (not a test): how long Sluice takes to apply, roll back and
# re-check 1,000 small migrations, next to plain psql (the floor) and, when
# installed, sqitch and yoyo. Prints a table of seconds; see bench/README.md.
#
# Environment:
#   RUNS=3            runs per measurement, each on a fresh database
#   N=1000            number of generated migrations
#   TOOLS="psql sluice sqitch yoyo"   which rows to measure
#   SKIP_BUILD=1      use the existing .build/release/sluice
#   SLUICE_TEST_DATABASE_URL  an existing server (postgresql://USER@HOST:PORT/DB,
#                     password via PGPASSFILE or PGPASSWORD); unset: start a
#                     throwaway cluster with scripts/lib/pg.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

RUNS=${RUNS:-3}
N=${N:-1000}
TOOLS=${TOOLS:-psql sluice sqitch yoyo}
sluice=$repo/.build/release/sluice
export PAGER=cat PSQL_PAGER=cat

want() { [[ " $TOOLS " == *" $1 "* ]]; }

# ---------------------------------------------------------------------------
# Server and scratch space
# ---------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
pg_dir=""
cleanup() {
    if [[ -n $pg_dir ]]; then sluice_pg_stop "$pg_dir"; fi
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_server sluice-bench-pg
db_url() { printf 'postgresql://%s@%s:%s/%s' "$PGUSER" "$PGHOST" "$PGPORT" "$1"; }
fresh_db() {
    dropdb --if-exists --force "$1" 2>/dev/null
    createdb "$1"
}
# expect_tables DB COUNT — sanity check that a tool really did the work.
expect_tables() {
    local got
    got=$(psql -X -At -d "$1" -c "select count(*) from pg_tables where tablename ~ '^bench_t[0-9]+\$'")
    if [[ $got != "$2" ]]; then
        say "expected $2 bench tables in $1, found $got"
        exit 1
    fi
}

# ---------------------------------------------------------------------------
# Generate the migrations, once, in every tool's layout
# ---------------------------------------------------------------------------
say "generating $N migrations in $work"
paired=$work/paired       # Sluice: golang-migrate paired layout
yoyo_dir=$work/yoyo       # yoyo: NNNN_tN.sql + NNNN_tN.rollback.sql
sqitch_dir=$work/sqitch   # sqitch: plan + deploy/ revert/ verify/
all_sql=$work/all.sql     # psql floor: every up in its own BEGIN/COMMIT
mkdir -p "$paired" "$yoyo_dir" "$sqitch_dir"/{deploy,revert,verify}
{
    printf '%%syntax-version=1.0.0\n%%project=sluice_bench\n\n'
} >"$sqitch_dir/sqitch.plan"
printf '[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n' >"$sqitch_dir/sqitch.conf"
: >"$all_sql"
for ((i = 1; i <= N; i++)); do
    up="CREATE TABLE bench_t$i (id bigint primary key, v text);
CREATE INDEX bench_t${i}_v ON bench_t$i (v);"
    down="DROP TABLE bench_t$i;"
    name=$(printf '%04d_t%d' "$i" "$i")
    printf '%s\n' "$up" >"$paired/$name.up.sql"
    printf '%s\n' "$down" >"$paired/$name.down.sql"
    printf '%s\n' "$up" >"$yoyo_dir/$name.sql"
    printf '%s\n' "$down" >"$yoyo_dir/$name.rollback.sql"
    printf 'BEGIN;\n%s\nCOMMIT;\n' "$up" >>"$all_sql"
    # sqitch scripts carry their own transaction, as `sqitch add` templates do.
    printf 'BEGIN;\n%s\nCOMMIT;\n' "$up" >"$sqitch_dir/deploy/t$i.sql"
    printf 'BEGIN;\n%s\nCOMMIT;\n' "$down" >"$sqitch_dir/revert/t$i.sql"
    printf 'SELECT 1 FROM bench_t%d WHERE false;\n' "$i" >"$sqitch_dir/verify/t$i.sql"
    printf 't%d 2024-01-01T00:00:00Z Sluice Bench <bench@example.invalid> # bench table %d\n' \
        "$i" "$i" >>"$sqitch_dir/sqitch.plan"
done

# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------
declare -A times=()  # label -> space-separated seconds
labels=()            # row order

# timed LABEL CMD... — run CMD (output to a log), add its wall time to LABEL.
timed() {
    local label=$1 start end log rc=0
    shift
    log=$work/last.log
    start=$(date +%s.%N)
    "$@" >"$log" 2>&1 || rc=$?
    end=$(date +%s.%N)
    if ((rc != 0)); then
        say "$label failed (exit $rc): $*"
        tail -n 30 "$log" >&2
        exit 1
    fi
    [[ -v "times[$label]" ]] || labels+=("$label")
    times[$label]+=" $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')"
}

# quiet CMD... — an untimed step; fail loudly.
quiet() {
    local log=$work/last.log rc=0
    "$@" >"$log" 2>&1 || rc=$?
    if ((rc != 0)); then
        say "failed (exit $rc): $*"
        tail -n 30 "$log" >&2
        exit 1
    fi
}

missing=()  # "label|hint" rows for peers that are not installed

# ---------------------------------------------------------------------------
# Build Sluice
# ---------------------------------------------------------------------------
if want sluice; then
    if [[ ${SKIP_BUILD:-0} != 1 ]]; then
        say "scripts/build.sh (the first build takes a few minutes)"
        bash "$repo/scripts/build.sh" >/dev/null
    fi
    [[ -x $sluice ]] || { say "no binary at $sluice"; exit 1; }
    "$sluice" hash --dir "$paired" >/dev/null  # write sluice.sum for the folder
fi
if want sqitch && ! command -v sqitch >/dev/null 2>&1; then
    missing+=("sqitch deploy|not installed (apt install sqitch)")
fi
if want yoyo && ! command -v yoyo >/dev/null 2>&1; then
    missing+=("yoyo apply|not installed (pip install yoyo-migrations psycopg2-binary)")
fi

# sqitch reads a name and email from the user's config; give it both here.
export SQITCH_FULLNAME="Sluice Bench" SQITCH_EMAIL="bench@example.invalid"

for ((run = 1; run <= RUNS; run++)); do
    say "run $run of $RUNS"

    if want psql; then
        fresh_db bench_psql
        timed "psql (floor)" psql -X -q -v ON_ERROR_STOP=1 -d bench_psql -f "$all_sql"
        expect_tables bench_psql "$N"
    fi

    if want sluice; then
        fresh_db bench_sluice
        export SLUICE_DATABASE_URL SLUICE_REHEARSAL_ENABLED=false
        SLUICE_DATABASE_URL=$(db_url bench_sluice)
        timed "sluice apply" "$sluice" apply --dir "$paired"
        expect_tables bench_sluice "$N"
        timed "sluice rollback (downs)" "$sluice" rollback --to 0 --yes --dir "$paired"
        expect_tables bench_sluice 0
        # rollback holds the versions it took down: lift the holds and
        # re-apply (untimed), then time a run that has nothing to do.
        quiet "$sluice" release --all
        quiet "$sluice" apply --dir "$paired"
        timed "sluice apply (no-op)" "$sluice" apply --dir "$paired"
        unset SLUICE_DATABASE_URL SLUICE_REHEARSAL_ENABLED
    fi

    if want sqitch && command -v sqitch >/dev/null 2>&1; then
        fresh_db bench_sqitch
        target="db:pg://$PGUSER@$PGHOST:$PGPORT/bench_sqitch"
        timed "sqitch deploy" sqitch --chdir "$sqitch_dir" deploy "$target"
        expect_tables bench_sqitch "$N"
        timed "sqitch deploy (no-op)" sqitch --chdir "$sqitch_dir" deploy "$target"
    fi

    if want yoyo && command -v yoyo >/dev/null 2>&1; then
        fresh_db bench_yoyo
        # psycopg2 is libpq: the password comes from PGPASSFILE/PGPASSWORD.
        timed "yoyo apply" yoyo apply --batch --no-config-file --database "$(db_url bench_yoyo)" "$yoyo_dir"
        expect_tables bench_yoyo "$N"
        timed "yoyo apply (no-op)" yoyo apply --batch --no-config-file --database "$(db_url bench_yoyo)" "$yoyo_dir"
    fi
done

for db in bench_psql bench_sluice bench_sqitch bench_yoyo; do
    dropdb --if-exists --force "$db" >/dev/null 2>&1 || true
done

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

floor_median=""
if [[ -v "times[psql (floor)]" ]]; then
    read -r _ floor_median _ < <(bench_stats "${times[psql (floor)]}")
fi

printf '\n%d migrations, %d run(s) each, PostgreSQL %s, %s core(s)\n' \
    "$N" "$RUNS" "$(psql -X -At -d postgres -c 'show server_version')" "$(nproc)"
if want sluice; then
    printf 'sluice: %s\n' "$("$sluice" version 2>/dev/null | head -n 1)"
fi
printf '\n%-28s %9s %9s %9s %9s\n' "tool" "min s" "median s" "max s" "x psql"
printf '%-28s %9s %9s %9s %9s\n' "----" "-----" "--------" "-----" "------"
for label in "${labels[@]}"; do
    read -r lo med hi < <(bench_stats "${times[$label]}")
    ratio="-"
    if [[ -n $floor_median ]]; then
        ratio=$(awk -v m="$med" -v f="$floor_median" 'BEGIN { if (f > 0) printf "%.2f", m / f; else print "-" }')
    fi
    printf '%-28s %9s %9s %9s %9s\n' "$label" "$lo" "$med" "$hi" "$ratio"
done
for row in "${missing[@]}"; do
    printf '%-28s %s\n' "${row%%|*}" "${row#*|}"
done
