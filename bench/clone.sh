#!/usr/bin/env bash
# Benchmark (not a test): what a rehearsal clone costs. Builds a ~1 GB source
# database (pgbench at SCALE 60, three wide tables, a sequence, extensions, a
# table owned by another role), then times, side by side, CREATE DATABASE …
# TEMPLATE (WAL_LOG and FILE_COPY), pg_dump | psql, pg_dump -Fd -j2 +
# pg_restore -j2, pg_dump -s | psql, and `sluice rehearse` under each
# rehearsal.strategy. Then the same on a catalog-heavy database (2,000 small
# tables, no data): pg_dump -s | psql, sluice's schema rehearsal, and
# `sluice status` (which snapshots the live catalog). Prints a table of
# seconds; see bench/README.md.
#
# Environment:
#   SCALE=60          pgbench scale factor (60 ≈ 0.9 GB; SCALE=2 for a smoke run)
#   WIDE_ROWS         rows in each of the 3 wide tables (default 200000 * SCALE / 60)
#   RUNS=3            repetitions of every form; the median is reported
#   CATALOG_TABLES=2000  tables in the catalog-scale database (0 skips that part)
#   SLUICE_BIN        the sluice binary (default .build/release/sluice; when that
#                     default is missing it is built with
#                     scripts/build.sh, unless SKIP_BUILD=1)
#   SLUICE_TEST_DATABASE_URL  an existing server (postgresql://USER@HOST:PORT/DB,
#                     password via PGPASSFILE or PGPASSWORD); unset: start a
#                     throwaway cluster with scripts/lib/pg.sh (fsync=off)
#
# The Sluice rows need `sluice rehearse`; when the binary is missing or the
# command fails, they print "sluice: skipped (reason)" and the rest still runs.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

SCALE=${SCALE:-60}
RUNS=${RUNS:-3}
CATALOG_TABLES=${CATALOG_TABLES:-2000}
WIDE_ROWS=${WIDE_ROWS:-$((200000 * SCALE / 60))}
((WIDE_ROWS >= 100)) || WIDE_ROWS=100
export PAGER=cat PSQL_PAGER=cat


[[ $SCALE =~ ^[1-9][0-9]*$ ]] || die "SCALE must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
[[ $CATALOG_TABLES =~ ^[0-9]+$ ]] || die "CATALOG_TABLES must be a number"
command -v python3 >/dev/null 2>&1 || die "python3 is required (it reads sluice's JSON)"

# Names this script creates (and drops); the role is cluster-wide.
SRC=bench_src            # the ~1 GB source
DST=bench_clone          # every clone of it
CAT=bench_cat            # the catalog-scale source
CAT_DST=bench_cat_clone  # clones of that
OWNER_ROLE=bench_clone_owner

# ---------------------------------------------------------------------------
# Server and scratch space
# ---------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-clone.XXXXXX")
pg_dir=""
role_created=0
cleanup() {
    if [[ -n $pg_dir ]]; then
        sluice_pg_stop "$pg_dir"
    elif [[ -n ${PGHOST:-} ]]; then
        # A server we did not start: drop only what this script made.
        local db
        for db in "$DST" "$CAT_DST" "$SRC" "$CAT"; do
            dropdb --if-exists --force "$db" >/dev/null 2>&1 || true
        done
        if ((role_created)); then
            psql -X -q -d postgres -c "DROP ROLE IF EXISTS $OWNER_ROLE" >/dev/null 2>&1 \
                || say "could not drop role $OWNER_ROLE (it still owns objects in a database left behind)"
        fi
    fi
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_server sluice-clone-pg
if [[ $own_cluster == 0 ]]; then
    # Client tools of the newest local PostgreSQL (pg.sh's convention), first on PATH.
    if [[ -z ${SLUICE_PG_BINDIR:-} ]]; then
        SLUICE_PG_BINDIR=$(_sluice_pg_bindir 2>/dev/null || true)
    fi
    if [[ -n ${SLUICE_PG_BINDIR:-} ]]; then export PATH="$SLUICE_PG_BINDIR:$PATH"; fi
fi
pgbench=${SLUICE_PG_BINDIR:+$SLUICE_PG_BINDIR/pgbench}
if [[ -z $pgbench || ! -x $pgbench ]]; then
    pgbench=$(command -v pgbench || true)
fi
[[ -n $pgbench && -x $pgbench ]] || die "pgbench not found (looked in \$SLUICE_PG_BINDIR and on PATH)"

db_url() { printf 'postgresql://%s@%s:%s/%s' "$PGUSER" "$PGHOST" "$PGPORT" "$1"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
drop_db() { dropdb --if-exists --force "$1" >/dev/null 2>&1; }
# checkpoint — flush what the previous form dirtied so it is not charged to the
# next one (needs superuser or pg_checkpoint; skipped quietly otherwise).
checkpoint() { psql -X -q -d postgres -c CHECKPOINT >/dev/null 2>&1 || true; }
db_list() { q -d postgres -c "SELECT datname FROM pg_database" | LC_ALL=C sort; }

# ---------------------------------------------------------------------------
# The Sluice binary (copied, so a rebuild by someone else mid-run cannot swap it)
# ---------------------------------------------------------------------------
sluice=""
sluice_skip=""  # the reason every sluice row is skipped, when it is
sluice_src=$(bench_sluice_src "$repo")
if [[ ! -x $sluice_src ]]; then
    sluice_skip="no binary at $sluice_src"
else
    mkdir -p "$work/bin"
    cp "$sluice_src" "$work/bin/sluice"
    sluice=$work/bin/sluice
    # `sluice rehearse --help` on a binary without the command prints the top
    # level help and exits 0, so look for the subcommand's own usage line.
    if ! "$sluice" rehearse --help 2>&1 | grep -q 'USAGE: sluice rehearse'; then
        sluice_skip="$sluice_src has no 'rehearse' command (yet)"
    fi
fi
if [[ -n $sluice_skip ]]; then say "sluice: skipped ($sluice_skip)"; fi

# One trivial pending migration, golang-migrate pair.
migrations=$work/migrations
mkdir -p "$migrations"
printf 'CREATE TABLE bench_rehearse_probe (id int);\n' >"$migrations/000001_bench.up.sql"
printf 'DROP TABLE bench_rehearse_probe;\n' >"$migrations/000001_bench.down.sql"

# json_get FILE PATH... — print .a.b of the JSON object in FILE for each PATH
# (one line each, empty when absent). Exits 1 when FILE is not JSON.
json_get() {
    python3 - "$@" <<'PY'
import json, sys
try:
    with open(sys.argv[1]) as f:
        doc = json.load(f)
except Exception:
    sys.exit(1)
for path in sys.argv[2:]:
    v = doc
    for k in path.strip(".").split("."):
        v = v.get(k) if isinstance(v, dict) else None
    if isinstance(v, (list, dict)):
        v = len(v)
    print("" if v is None else v)
PY
}

# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------
declare -A times=()  # label -> space-separated seconds
declare -A notes=()  # label -> text printed after the table
labels=()            # row order
add_time() {
    local label=$1 secs=$2
    if [[ ! -v "times[$label]" ]]; then labels+=("$label"); fi
    times[$label]="${times[$label]:-} $secs"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# timed LABEL CMD... — run CMD (output to a log), add its wall time to LABEL;
# a failing hand-run form stops the benchmark.
timed() {
    local label=$1 start end log=$work/last.log rc=0
    shift
    checkpoint
    start=$(now)
    "$@" >"$log" 2>&1 || rc=$?
    end=$(now)
    if ((rc != 0)); then
        say "$label failed (exit $rc): $*"
        tail -n 30 "$log" >&2
        exit 1
    fi
    add_time "$label" "$(elapsed "$start" "$end")"
}

# The hand-run forms. Each is one function, so a pipe is timed as a whole;
# they chain with && because set -e does not apply inside `f || rc=$?`.
template_clone() { # SRC DST STRATEGY
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $2 TEMPLATE $1 STRATEGY $3"
}
dump_plain() { # SRC DST [pg_dump options]
    local src=$1 dst=$2
    shift 2
    createdb "$dst" && pg_dump "$@" "$src" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >/dev/null
}
dump_dir() { # SRC DST: pg_dump -Fd -j2 and pg_restore -j2, timed as parts and together
    local src=$1 dst=$2 dir=$work/dump.d t0 t1 t2 rc=0
    rm -rf -- "$dir"
    checkpoint
    t0=$(now)
    pg_dump -Fd -j2 -f "$dir" "$src" >"$work/last.log" 2>&1 || rc=$?
    t1=$(now)
    if ((rc == 0)); then
        { createdb "$dst" && pg_restore -j2 -d "$dst" "$dir"; } >>"$work/last.log" 2>&1 || rc=$?
    fi
    t2=$(now)
    if ((rc != 0)); then
        say "pg_dump -Fd / pg_restore failed (exit $rc)"
        tail -n 30 "$work/last.log" >&2
        exit 1
    fi
    add_time "pg_dump -Fd -j2 + pg_restore -j2" "$(elapsed "$t0" "$t2")"
    add_time "  of which pg_dump -Fd -j2" "$(elapsed "$t0" "$t1")"
    add_time "  of which createdb + pg_restore -j2" "$(elapsed "$t1" "$t2")"
    rm -rf -- "$dir"
}

# expect_clone DB KIND — sanity check that a clone holds what it should
# (KIND data: the rows; schema: the tables but no rows). Untimed.
expect_clone() {
    local db=$1 kind=$2 tables rows
    tables=$(q -d "$db" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname IN ('public', 'bench_owned')")
    if ((tables != src_tables)); then
        die "$db: $tables tables, expected $src_tables (as in $SRC)"
    fi
    rows=$(q -d "$db" -c "SELECT (SELECT count(*) FROM pgbench_branches) || ' ' || (SELECT count(*) FROM bench_wide_1)")
    if [[ $kind == data && $rows != "$SCALE $WIDE_ROWS" ]]; then
        die "$db: rows (branches, wide_1) = $rows, expected $SCALE $WIDE_ROWS"
    elif [[ $kind == schema && $rows != "0 0" ]]; then
        die "$db: a schema-only clone has rows: $rows"
    fi
}

# Databases left behind by a sluice run: dropped on our own cluster, reported
# on a server we were given (rehearsal keeps a failed scratch database).
sweep_scratch() { # BEFORE_LIST_FILE
    local db
    while IFS= read -r db; do
        [[ -n $db ]] || continue
        if [[ -n $pg_dir ]]; then
            drop_db "$db" || true
        else
            say "sluice left database '$db' behind (not dropped: not our cluster)"
        fi
    done < <(db_list | LC_ALL=C comm -13 "$1" -)
}

declare -A sluice_skipped=()  # label prefix -> reason (stop retrying after a failure)

# sluice_rehearse LABEL DB STRATEGY [KIND] — time `sluice rehearse` on DB; record the
# clone milliseconds from its JSON and the command's wall time.
sluice_rehearse() {
    local label=$1 db=$2 strategy=$3 out=$work/rehearse.json err=$work/rehearse.err
    local start end rc=0 ms bytes got reason
    if [[ -n $sluice_skip ]]; then return 0; fi
    if [[ -v "sluice_skipped[$label]" ]]; then return 0; fi
    db_list >"$work/dbs.before"
    checkpoint
    start=$(now)
    SLUICE_DATABASE_URL=$(db_url "$db") SLUICE_REHEARSAL_STRATEGY=$strategy SLUICE_REHEARSAL_VERIFY_DOWN=false \
        "$sluice" rehearse --dir "$migrations" --format json >"$out" 2>"$err" || rc=$?
    end=$(now)
    sweep_scratch "$work/dbs.before"
    reason=""
    if ((rc != 0)); then
        # The first "error" line if there is one, else the last line of output.
        reason=$( { grep -i -m 1 'error' "$err" || cat "$err" "$out" | grep -v '^[[:space:]]*$' | tail -n 1; } 2>/dev/null | cut -c1-160 || true)
        reason="rehearse exited $rc: ${reason:-no output}"
    elif ! { read -r ms; read -r bytes; read -r got; } < <(json_get "$out" clone.milliseconds clone.bytes clone.strategy); then
        reason="rehearse printed no JSON object"
    elif [[ ! $ms =~ ^[0-9]+$ ]]; then
        reason="no integer .clone.milliseconds in rehearse's JSON"
    fi
    if [[ -n $reason ]]; then
        sluice_skipped[$label]=$reason
        say "sluice: skipped ($label: $reason)"
        return 0
    fi
    add_time "$label: clone (JSON)" "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    add_time "$label: rehearse (wall)" "$(elapsed "$start" "$end")"
    notes[$label]="clone.strategy=${got:-?} clone.bytes=${bytes:-?}"
    if [[ -n $got && $got != "$strategy" ]]; then
        notes[$label]+=" (asked for $strategy!)"
    fi
}

# ---------------------------------------------------------------------------
# 1. The source database
# ---------------------------------------------------------------------------
for db in "$DST" "$SRC" "$CAT_DST" "$CAT"; do drop_db "$db"; done
server_version=$(q -d postgres -c 'SHOW server_version')
say "building $SRC: pgbench -i -s $SCALE, 3 wide tables of $WIDE_ROWS rows"
build_start=$(now)
createdb "$SRC"
"$pgbench" -i -q -s "$SCALE" "$SRC" >"$work/pgbench.log" 2>&1 \
    || { tail -n 20 "$work/pgbench.log" >&2; die "pgbench -i failed"; }

# Extensions from stock postgresql-15 (contrib): citext for a column type,
# pgcrypto for digest(). Whichever the server lacks is left out.
available=$(q -d "$SRC" -c "SELECT string_agg(name, ' ') FROM pg_available_extensions WHERE name IN ('citext', 'pgcrypto')")
have_ext() { [[ " $available " == *" $1 "* ]]; }
email_type=text token_expr="decode(md5(g::text), 'hex')"
extensions=()
if have_ext citext; then email_type=citext; extensions+=(citext); fi
if have_ext pgcrypto; then token_expr="digest(g::text, 'sha256')"; extensions+=(pgcrypto); fi
if ((${#extensions[@]} == 0)); then say "neither citext nor pgcrypto is available: no extension in $SRC"; fi

if [[ -z $(q -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$OWNER_ROLE'") ]]; then
    q -d postgres -c "CREATE ROLE $OWNER_ROLE NOLOGIN"
    role_created=1
fi

{
    for ext in "${extensions[@]}"; do printf 'CREATE EXTENSION IF NOT EXISTS %s;\n' "$ext"; done
    cat <<SQL
CREATE SEQUENCE bench_invoice_seq START 1000 INCREMENT 7;
SELECT setval('bench_invoice_seq', 123456);
CREATE SCHEMA bench_owned AUTHORIZATION $OWNER_ROLE;
CREATE TABLE bench_owned.ledger (id bigserial PRIMARY KEY, account_id int NOT NULL, amount numeric(12,2), at timestamptz NOT NULL DEFAULT now());
INSERT INTO bench_owned.ledger (account_id, amount, at)
    SELECT g % 1000, (g % 50000) / 100.0, timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, $WIDE_ROWS / 10) g;
ALTER TABLE bench_owned.ledger OWNER TO $OWNER_ROLE;
GRANT SELECT ON bench_owned.ledger TO PUBLIC;
CREATE VIEW bench_owned.ledger_daily AS SELECT date_trunc('day', at) AS day, sum(amount) AS total FROM bench_owned.ledger GROUP BY 1;
ALTER VIEW bench_owned.ledger_daily OWNER TO $OWNER_ROLE;
SQL
    for k in 1 2 3; do
        cat <<SQL
CREATE TABLE bench_wide_$k (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id int NOT NULL,
    status text NOT NULL,
    email $email_type NOT NULL,
    name text,
    note text,
    qty int,
    price numeric(12,2),
    flags int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    updated_at timestamptz,
    due_on timestamp,
    payload jsonb,
    tags text[],
    token bytea
);
INSERT INTO bench_wide_$k (account_id, status, email, name, note, qty, price, flags, created_at, updated_at, due_on, payload, tags, token)
SELECT (g * 7919) % 100000,
       (ARRAY['new', 'paid', 'shipped', 'void'])[1 + g % 4],
       'User' || g || '@Example.com',
       md5(g::text),
       repeat(md5((g * $k)::text), 1 + g % 3),
       g % 97,
       (g % 100000) / 100.0,
       g % 16,
       timestamptz '2024-01-01' + g * interval '1 minute',
       timestamptz '2024-01-01' + g * interval '90 seconds',
       timestamp '2024-02-01' + (g % 365) * interval '1 day',
       jsonb_build_object('g', g, 'k', md5(g::text), 'n', jsonb_build_array(g % 10, g % 100), 'ok', g % 2 = 0),
       ARRAY['t' || g % 10, 'u' || g % 7],
       $token_expr
FROM generate_series(1, $WIDE_ROWS) g;
CREATE INDEX bench_wide_${k}_account ON bench_wide_$k (account_id, created_at);
CREATE UNIQUE INDEX bench_wide_${k}_email ON bench_wide_$k (email);
SQL
        if ((k == 1)); then
            printf 'CREATE INDEX bench_wide_1_payload ON bench_wide_1 USING gin (payload jsonb_path_ops);\n'
        else
            printf "CREATE INDEX bench_wide_%d_open ON bench_wide_%d (status, due_on) WHERE status <> 'void';\n" "$k" "$k"
        fi
    done
    printf 'VACUUM ANALYZE;\n'
} >"$work/src.sql"
q -d "$SRC" -f "$work/src.sql" >/dev/null
build_s=$(elapsed "$build_start" "$(now)")
src_tables=$(q -d "$SRC" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname IN ('public', 'bench_owned')")
src_bytes=$(q -d "$SRC" -c "SELECT pg_database_size('$SRC')")
src_size=$(q -d "$SRC" -c "SELECT pg_size_pretty(pg_database_size('$SRC'))")

printf '\n%s: %s (%s bytes), built in %ss — pgbench scale %d, 3 wide tables x %d rows, %d tables, extensions: %s, role %s owns bench_owned.ledger\n' \
    "$SRC" "$src_size" "$src_bytes" "$build_s" "$SCALE" "$WIDE_ROWS" "$src_tables" "${extensions[*]:-none}" "$OWNER_ROLE"
q -d "$SRC" -c "SELECT '    ' || rpad(c.oid::regclass::text, 28) || lpad(pg_size_pretty(pg_total_relation_size(c.oid)), 10)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname IN ('public', 'bench_owned')
    ORDER BY pg_total_relation_size(c.oid) DESC"

# ---------------------------------------------------------------------------
# 2. Clones of the source, RUNS times each, interleaved as in apply.sh
# ---------------------------------------------------------------------------
for ((run = 1; run <= RUNS; run++)); do
    say "run $run of $RUNS: clones of $SRC"

    drop_db "$DST"
    timed "template (WAL_LOG)" template_clone "$SRC" "$DST" WAL_LOG
    expect_clone "$DST" data

    drop_db "$DST"
    timed "template (FILE_COPY)" template_clone "$SRC" "$DST" FILE_COPY
    expect_clone "$DST" data

    drop_db "$DST"
    timed "pg_dump | psql" dump_plain "$SRC" "$DST"
    expect_clone "$DST" data

    drop_db "$DST"
    dump_dir "$SRC" "$DST"
    expect_clone "$DST" data

    drop_db "$DST"
    timed "pg_dump -s | psql" dump_plain "$SRC" "$DST" -s
    expect_clone "$DST" schema
    drop_db "$DST"

    # Last in the run: rehearse may create Sluice's state schema in the source.
    for strategy in template dump schema; do
        sluice_rehearse "sluice $strategy" "$SRC" "$strategy"
    done
done
drop_db "$DST"

# ---------------------------------------------------------------------------
# 3. Catalog scale: CATALOG_TABLES tables, no rows
# ---------------------------------------------------------------------------
status_notes=()
if ((CATALOG_TABLES > 0)); then
    say "building $CAT: $CATALOG_TABLES tables"
    cat_start=$(now)
    createdb "$CAT"
    # 100 tables a transaction (2,000 in one would need ~10,000 locks); every
    # 4th table references the one half its number.
    awk -v n="$CATALOG_TABLES" 'BEGIN {
        print "\\set ON_ERROR_STOP 1"
        for (i = 1; i <= n; i++) {
            if (i % 100 == 1) print "BEGIN;"
            ref = (i % 4 == 0 && i > 1) ? sprintf(" REFERENCES cat_t%d (id)", int(i / 2)) : ""
            printf "CREATE TABLE cat_t%d (id int PRIMARY KEY, ref int%s, v text NOT NULL DEFAULT %c%c);\n", i, ref, 39, 39
            printf "CREATE INDEX cat_t%d_ref ON cat_t%d (ref);\n", i, i
            if (i % 100 == 0 || i == n) print "COMMIT;"
        }
    }' >"$work/cat.sql"
    q -d "$CAT" -f "$work/cat.sql" >/dev/null
    cat_s=$(elapsed "$cat_start" "$(now)")
    cat_rels=$(q -d "$CAT" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
    cat_fks=$(q -d "$CAT" -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace")
    printf '\n%s: %d tables, %d relations in public (tables and indexes), %d foreign keys, %s; built in %ss\n' \
        "$CAT" "$CATALOG_TABLES" "$cat_rels" "$cat_fks" "$(q -d "$CAT" -c "SELECT pg_size_pretty(pg_database_size('$CAT'))")" "$cat_s"

    cat_tables() { q -d "$1" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'cat\_t%'"; }
    for ((run = 1; run <= RUNS; run++)); do
        say "run $run of $RUNS: clones of $CAT"
        drop_db "$CAT_DST"
        timed "catalog: template (WAL_LOG)" template_clone "$CAT" "$CAT_DST" WAL_LOG
        drop_db "$CAT_DST"
        timed "catalog: template (FILE_COPY)" template_clone "$CAT" "$CAT_DST" FILE_COPY
        drop_db "$CAT_DST"
        timed "catalog: pg_dump -s | psql" dump_plain "$CAT" "$CAT_DST" -s
        got=$(cat_tables "$CAT_DST")
        ((got == CATALOG_TABLES)) || die "$CAT_DST: $got tables after pg_dump -s | psql, expected $CATALOG_TABLES"
        drop_db "$CAT_DST"
        sluice_rehearse "catalog: sluice schema" "$CAT" schema
    done

    # sluice status reads the live catalog only once Sluice has recorded a snapshot
    # (after a run that changed the database): time it before any state exists,
    # after an apply (fingerprints equal), and after a change made outside Sluice
    # (the snapshots are diffed).
    if [[ -n $sluice ]]; then
        status_run() { # LABEL
            local label=$1 start end rc=0
            checkpoint
            start=$(now)
            SLUICE_DATABASE_URL=$(db_url "$CAT") "$sluice" status --dir "$migrations" --format json \
                >"$work/status.json" 2>"$work/status.err" || rc=$?
            end=$(now)
            if ((rc != 0)); then
                say "sluice: skipped ($label: status exited $rc: $(tail -n 1 "$work/status.err" | cut -c1-160))"
                return 1
            fi
            add_time "$label" "$(elapsed "$start" "$end")"
        }
        snapshot_recorded() {
            [[ -n $(q -d "$CAT" -c "SELECT 1 FROM pg_tables WHERE schemaname = 'sluice' AND tablename = 'meta'") ]] \
                && [[ -n $(q -d "$CAT" -c "SELECT 1 FROM sluice.meta WHERE key = 'schema_snapshot'") ]]
        }
        status_ok=1
        if snapshot_recorded; then
            status_notes+=("a snapshot was already recorded in $CAT before the first status (by rehearse?)")
        fi
        for ((run = 1; run <= RUNS && status_ok; run++)); do
            status_run "catalog: sluice status (before apply)" || status_ok=0
        done
        if ((status_ok)); then
            rc=0
            SLUICE_DATABASE_URL=$(db_url "$CAT") SLUICE_REHEARSAL_ENABLED=false \
                "$sluice" apply --dir "$migrations" >"$work/apply.log" 2>&1 || rc=$?
            if ((rc != 0)); then
                say "sluice: skipped (catalog status after apply: apply exited $rc: $(tail -n 1 "$work/apply.log" | cut -c1-160))"
                status_ok=0
            elif ! snapshot_recorded; then
                status_notes+=("this binary recorded no schema snapshot after apply: the status rows include no catalog read")
            fi
        fi
        if ((status_ok)); then
            for ((run = 1; run <= RUNS && status_ok; run++)); do
                status_run "catalog: sluice status (snapshot, no drift)" || status_ok=0
            done
        fi
        if ((status_ok)); then
            q -d "$CAT" -c "CREATE TABLE bench_outside_sluice (id int PRIMARY KEY, v text); ALTER TABLE cat_t1 ADD COLUMN extra int"
            for ((run = 1; run <= RUNS && status_ok; run++)); do
                status_run "catalog: sluice status (snapshot + diff)" || status_ok=0
            done
            if ((status_ok)); then
                drift=$(json_get "$work/status.json" schemaDrift || true)
                status_notes+=("status after the outside change reported ${drift:-no} schemaDrift entr(y/ies)")
            fi
        fi
    else
        say "sluice: skipped (catalog status: $sluice_skip)"
    fi
    drop_db "$CAT_DST"
fi

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
median() {
    local lo med hi
    if [[ ! -v "times[$1]" ]]; then return 0; fi
    read -r lo med hi < <(bench_stats "${times[$1]}")
    printf '%s\n' "$med"
}
# fastest LABEL... — the smallest median among the labels that were measured.
fastest() {
    local label m best=""
    for label in "$@"; do
        m=$(median "$label")
        [[ -n $m ]] || continue
        if [[ -z $best ]] || awk -v a="$m" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$m; fi
    done
    printf '%s\n' "$best"
}
ratio() { # VALUE REF
    if [[ -z $2 ]]; then printf -- '-'; return; fi
    awk -v m="$1" -v f="$2" 'BEGIN { if (f > 0) printf "%.2f", m / f; else printf "-" }'
}

printf '\nPostgreSQL %s, %s core(s), %d run(s) each; %s = %s; seconds of wall time (sluice "clone (JSON)" rows: .clone.milliseconds)\n' \
    "$server_version" "$(nproc)" "$RUNS" "$SRC" "$src_size"
if [[ -n $pg_dir ]]; then printf 'throwaway cluster of scripts/lib/pg.sh: fsync=off, full_page_writes=off\n'; fi
if [[ -n $sluice ]]; then printf 'sluice: %s (%s)\n' "$("$sluice" version 2>/dev/null | head -n 1)" "$sluice_src"; fi

print_section() { # TITLE TMPL_REF DUMP_REF SCHEMA_REF LABEL...
    local title=$1 tref=$2 dref=$3 sref=$4 label lo med hi
    shift 4
    printf '\n%s\n' "$title"
    printf '%-46s %8s %8s %8s %8s %8s %8s\n' "form" "min s" "median s" "max s" "x tmpl" "x dump" "x dump-s"
    printf '%-46s %8s %8s %8s %8s %8s %8s\n' "----" "-----" "--------" "-----" "------" "------" "--------"
    for label in "$@"; do
        [[ -v "times[$label]" ]] || continue
        read -r lo med hi < <(bench_stats "${times[$label]}")
        printf '%-46s %8s %8s %8s %8s %8s %8s\n' "$label" "$lo" "$med" "$hi" \
            "$(ratio "$med" "$tref")" "$(ratio "$med" "$dref")" "$(ratio "$med" "$sref")"
    done
}
src_labels=() cat_labels=()
for label in "${labels[@]}"; do
    if [[ $label == catalog:* ]]; then cat_labels+=("$label"); else src_labels+=("$label"); fi
done
print_section "Clones of $SRC ($src_size)" \
    "$(fastest "template (WAL_LOG)" "template (FILE_COPY)")" \
    "$(fastest "pg_dump | psql" "pg_dump -Fd -j2 + pg_restore -j2")" \
    "$(median "pg_dump -s | psql")" \
    "${src_labels[@]}"
if ((CATALOG_TABLES > 0)); then
    # No rows here, so the schema dump is also the full dump.
    print_section "Catalog scale: $CAT ($CATALOG_TABLES tables)" \
        "$(fastest "catalog: template (WAL_LOG)" "catalog: template (FILE_COPY)")" \
        "$(median "catalog: pg_dump -s | psql")" \
        "$(median "catalog: pg_dump -s | psql")" \
        "${cat_labels[@]}"
fi
printf '\nx tmpl: median / the fastest CREATE DATABASE … TEMPLATE median; x dump: / the fastest full hand dump (pg_dump | psql, -Fd + pg_restore); x dump-s: / pg_dump -s | psql\n'

# Notes: what sluice reported, and what was skipped.
for key in "sluice template" "sluice dump" "sluice schema" "catalog: sluice schema"; do
    if [[ -n $sluice_skip ]]; then
        printf 'sluice: skipped (%s)\n' "$sluice_skip"
        break
    elif [[ -v "sluice_skipped[$key]" ]]; then
        printf '%s: skipped (%s)\n' "$key" "${sluice_skipped[$key]}"
    elif [[ -v "notes[$key]" ]]; then
        printf '%s: %s\n' "$key" "${notes[$key]}"
    fi
done
for note in "${status_notes[@]}"; do printf 'note: %s\n' "$note"; done
