#!/usr/bin/env bash
# Benchmark (not a test): the daemon's dashboard and API on a large history and
# schema — 10,000 events in sluice.events and 500 tables recorded in the schema
# snapshot. Times a loop of requests per page over one kept-alive HTTP connection
# (python3 http.client) and prints p50/p99/max and the page size, each marked
# PASS/FAIL against the target of the dashboard issue: pages under 200 ms,
# /metrics under 20 ms. Then, on its own cluster, counts the SQL each page sends
# (log_min_duration_statement = 0) to show what a page's time goes to.
# See bench/README.md.
#
# Environment:
#   TABLES=500          tables created by the migrations (10 per migration)
#   EVENTS=10000        events inserted into sluice.events with SQL
#   N=200               timed requests per page
#   PAGE_TARGET_MS=200  target for the HTML pages and the API (p99)
#   METRICS_TARGET_MS=20  target for /metrics (p99)
#   SQL_REQUESTS=5      requests per page while the SQL is logged (0: skip that part)
#   KEEP=1              leave the daemon, the database (and the throwaway cluster)
#                       and the scratch folder behind, and print how to reach and remove them
#   SKIP_BUILD=1        use the existing binary without building
#   SLUICE_BIN=PATH     use this binary (implies SKIP_BUILD)
#   SLUICE_TEST_DATABASE_URL  an existing server (postgresql://USER@HOST:PORT/DB,
#                       password via PGPASSFILE or PGPASSWORD; the user creates and
#                       drops the database sluice_dashboard_bench); unset: a
#                       throwaway cluster from scripts/lib/pg.sh. The SQL count
#                       needs the server's log, so it runs on the throwaway cluster only.
#
# Needs git, psql/createdb, python3, and Graphviz's `dot` for the schema diagram
# (without it the schema page lists the tables and draws nothing; still measured).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

TABLES=${TABLES:-500}
EVENTS=${EVENTS:-10000}
N=${N:-200}
PAGE_TARGET_MS=${PAGE_TARGET_MS:-200}
METRICS_TARGET_MS=${METRICS_TARGET_MS:-20}
SQL_REQUESTS=${SQL_REQUESTS:-5}
PER_MIGRATION=10
export PAGER=cat PSQL_PAGER=cat


((TABLES >= 2 * PER_MIGRATION)) || die "TABLES must be at least $((2 * PER_MIGRATION))"
((EVENTS >= 100)) || die "EVENTS must be at least 100"
((N >= 1)) || die "N must be at least 1"
MIGRATIONS=$(((TABLES + PER_MIGRATION - 1) / PER_MIGRATION))
((MIGRATIONS < 10000)) || die "too many tables"
for tool in git psql createdb python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
have_dot=1
if ! command -v dot >/dev/null 2>&1; then
    have_dot=0
    say "Graphviz's dot is not installed (apt install graphviz): the schema page will list the tables without a diagram; measuring anyway"
fi

# ---------------------------------------------------------------------------
# Scratch space, and everything cleanup must stop
# ---------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-dashboard.XXXXXX")
pg_dir=""
daemon_pid=""
db=sluice_dashboard_bench
own_cluster=0
cleanup() {
    stop_daemon
    if [[ -n $pg_dir ]]; then
        sluice_pg_stop "$pg_dir"
    elif [[ -n ${PGHOST:-} ]]; then
        dropdb --if-exists --force "$db" 2>/dev/null || true
    fi
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_us() { printf '%s\n' "${EPOCHREALTIME/[.,]/}"; }
ms_since() { awk -v a="$1" -v b="$(now_us)" 'BEGIN { printf "%.0f", (b - a) / 1000 }'; }

# ---------------------------------------------------------------------------
# The binary: built into its own scratch path, then copied, so that a rebuild
# by someone else during the run does not swap it under the daemon
# ---------------------------------------------------------------------------
if [[ -n ${SLUICE_BIN:-} ]]; then
    src_bin=$SLUICE_BIN
else
    src_bin=$repo/.build-bench/release/sluice
    if [[ ${SKIP_BUILD:-0} != 1 ]]; then
        say "scripts/build.sh --scratch-path .build-bench (the first build takes a few minutes)"
        bash "$repo/scripts/build.sh" --scratch-path "$repo/.build-bench" --only-use-versions-from-resolved-file >/dev/null
    fi
fi
[[ -x $src_bin ]] || die "no binary at $src_bin (build it, or set SLUICE_BIN)"
mkdir -p "$work/bin"
sluice=$work/bin/sluice
cp "$src_bin" "$sluice"
"$sluice" daemon run --help >/dev/null 2>&1 || die "$src_bin has no 'daemon run' command: rebuild it"

# ---------------------------------------------------------------------------
# 1. The migrations: MIGRATIONS pairs of PER_MIGRATION tables each, in a local
#    bare repository. The first commit holds all but the last migration (applied
#    with `sluice apply --dir`), the second adds the last (applied by the daemon),
#    so two versions carry a schema snapshot and the newest shows a small diff.
# ---------------------------------------------------------------------------
say "generating $MIGRATIONS migrations ($TABLES tables)"
bare=$work/remote.git
checkout=$work/checkout
mig=$checkout/migrations
git init -q --bare -b main "$bare"
git init -q -b main "$checkout"
git -C "$checkout" config user.name "Bench Author"
git -C "$checkout" config user.email "bench@example.invalid"
git -C "$checkout" remote add origin "$bare"
mkdir -p "$mig"
# write_migration M — tables (M-1)*10+1 .. M*10: 4-6 columns, a primary key, every
# third table a foreign key to an earlier one (indexed), every other an index on name.
write_migration() {
    awk -v m="$1" -v per="$PER_MIGRATION" -v total="$TABLES" -v dir="$mig" '
        BEGIN {
            first = (m - 1) * per + 1; last = m * per; if (last > total) last = total
            base = sprintf("%s/%04d_tables_%d_%d", dir, m, first, last)
            up = base ".up.sql"; down = base ".down.sql"
            for (t = first; t <= last; t++) {
                name = sprintf("bench_t%04d", t)
                printf "CREATE TABLE %s (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now()", name > up
                if (t % 2 == 0) printf ",\n    amount numeric(12,2)" > up
                if (t % 5 == 0) printf ",\n    active boolean NOT NULL DEFAULT true" > up
                if (t % 3 == 0 && t > 1) {
                    ref = t - 1 - (t * 7) % 40; if (ref < 1) ref = 1
                    printf ",\n    ref_id bigint REFERENCES bench_t%04d (id)", ref > up
                }
                printf "\n);\n" > up
                if (t % 3 == 0 && t > 1) printf "CREATE INDEX %s_ref_id ON %s (ref_id);\n", name, name > up
                if (t % 2 == 1) printf "CREATE INDEX %s_name ON %s (name);\n", name, name > up
            }
            for (t = last; t >= first; t--) printf "DROP TABLE bench_t%04d;\n", t > down
        }'
}
for ((m = 1; m < MIGRATIONS; m++)); do write_migration "$m"; done
"$sluice" hash --dir "$mig" >/dev/null
git -C "$checkout" add -A
git -C "$checkout" commit -q -m "Add $((MIGRATIONS - 1)) migrations of $PER_MIGRATION tables"
first_sha=$(git -C "$checkout" rev-parse HEAD)

# ---------------------------------------------------------------------------
# 2. PostgreSQL, the database, and `sluice apply` of the first commit
# ---------------------------------------------------------------------------
bench_server sluice-dashboard-pg
if [[ $own_cluster == 0 ]]; then dropdb --if-exists --force "$db" 2>/dev/null || true; fi
createdb "$db"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

export SLUICE_DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$db"
export SLUICE_POLICY_LINT=warn
export SLUICE_REHEARSAL_ENABLED=false
export XDG_CACHE_HOME=$work/cache
unset SLUICE_CONFIG

say "sluice apply --dir … --no-rehearse ($((MIGRATIONS - 1)) migrations, $(((MIGRATIONS - 1) * PER_MIGRATION)) tables)"
t0=$(now_us)
"$sluice" apply --dir "$mig" --no-rehearse >"$work/apply.log" 2>&1 || { cat "$work/apply.log" >&2; die "sluice apply failed"; }
apply_ms=$(ms_since "$t0")

# The second commit: the last migration, for the daemon.
write_migration "$MIGRATIONS"
"$sluice" hash --dir "$mig" >/dev/null
git -C "$checkout" add -A
git -C "$checkout" commit -q -m "Add migration $MIGRATIONS"
git -C "$checkout" push -q origin main

# ---------------------------------------------------------------------------
# 3. EVENTS events, written straight into sluice.events
# ---------------------------------------------------------------------------
say "inserting $EVENTS events into sluice.events"
real_max_id=$(q -c "select coalesce(max(id), 0) from sluice.events")
t0=$(now_us)
q -v n="$EVENTS" -v m="$MIGRATIONS" -v sha="$first_sha" <<'SQL'
INSERT INTO sluice.events (at, kind, outcome, versions, commit_sha, actor, duration_ms, message, error, details)
SELECT now() - make_interval(mins => (:n - g) * 7),
       k.kind, k.outcome, v.versions,
       CASE WHEN g % 4 = 0 THEN :'sha' END,
       CASE WHEN g % 3 = 0 THEN 'deploy@ci-runner-' || (g % 7) || ' (sluice apply)' ELSE 'sluice@db-migrator-0 (sluice daemon)' END,
       CASE WHEN k.kind = 'drift' THEN NULL ELSE 20 + (g * 37) % 9000 END,
       CASE k.kind
           WHEN 'apply' THEN 'applied ' || cardinality(v.versions) || ' migration(s): ' || array_to_string(v.versions, ', ')
           WHEN 'plan' THEN 'plan refused: destructive change without -- sluice:allow'
           WHEN 'rehearsal' THEN 'rehearsal ' || k.outcome || ' on a dump clone'
           WHEN 'failure' THEN 'migration ' || v.versions[1] || ' failed: relation "bench_t' || g || '" already exists'
           ELSE 'schema drift: 1 change(s) made outside Sluice since it last recorded the schema: added index bench_t0001_x' || g
       END,
       CASE WHEN k.outcome = 'failed' THEN jsonb_build_object(
           'message', 'relation "bench_t' || g || '" already exists', 'sqlstate', '42P07',
           'file', lpad(v.versions[1], 4, '0') || '_tables.up.sql', 'version', v.versions[1],
           'hint', 'fix the migration and push again', 'exitCode', 1) END,
       CASE k.kind
           WHEN 'apply' THEN (SELECT jsonb_agg(jsonb_build_object('verb', 'apply', 'version', x, 'name', 'tables_' || x,
                                                                  'milliseconds', (g + x::int * 13) % 400))
                              FROM unnest(v.versions) AS x)
           WHEN 'drift' THEN jsonb_build_object('changes', jsonb_build_array(jsonb_build_object('action', 'added', 'kind', 'index',
                                                'name', 'bench_t0001_x' || g)), 'fingerprint', md5(g::text))
           WHEN 'plan' THEN jsonb_build_object('findings', jsonb_build_array(jsonb_build_object('rule', 'drop-column', 'level', 'error')))
       END
FROM generate_series(1, :n) AS g
CROSS JOIN LATERAL (
    SELECT CASE WHEN g % 10 < 4 THEN 'apply' WHEN g % 10 < 6 THEN 'plan' WHEN g % 10 < 8 THEN 'rehearsal'
                WHEN g % 10 = 8 THEN 'failure' ELSE 'drift' END AS kind) AS k0
CROSS JOIN LATERAL (
    SELECT k0.kind,
           CASE k0.kind
               WHEN 'apply' THEN CASE WHEN g % 13 = 0 THEN 'failed' ELSE 'ok' END
               WHEN 'plan' THEN 'refused'
               WHEN 'rehearsal' THEN CASE WHEN g % 11 = 0 THEN 'failed' ELSE 'passed' END
               WHEN 'failure' THEN 'failed'
               ELSE 'warn'
           END AS outcome) AS k
CROSS JOIN LATERAL (
    SELECT CASE WHEN k0.kind = 'drift' THEN '{}'::text[]
                ELSE ARRAY(SELECT ((g * 7 + i * 13) % :m + 1)::text FROM generate_series(1, 1 + g % 4) AS i) END AS versions) AS v;
ANALYZE sluice.events;
SQL
insert_ms=$(ms_since "$t0")
events_total=$(q -c "select count(*) from sluice.events")
say "$events_total events in sluice.events"

# ---------------------------------------------------------------------------
# 4. The daemon, serving on a free loopback port
# ---------------------------------------------------------------------------
port=$(_sluice_pick_port)
base=http://127.0.0.1:$port
export SLUICE_REPOSITORY_URL=$bare
export SLUICE_REPOSITORY_BRANCH=main
export SLUICE_REPOSITORY_PATH=migrations
export SLUICE_REPOSITORY_STATE_DIR=$work/state
export SLUICE_REPOSITORY_POLL_INTERVAL=1h
export SLUICE_DAEMON_CONTROL_SOCKET=$work/control.sock
export SLUICE_DAEMON_HTTP=127.0.0.1:$port
daemon_log=$work/daemon.log
say "starting sluice daemon run on $base"
"$sluice" daemon run >"$daemon_log" 2>&1 &
daemon_pid=$!
for ((i = 0; ; i++)); do
    kill -0 "$daemon_pid" 2>/dev/null || { tail -n 30 "$daemon_log" >&2; daemon_pid=""; die "the daemon exited"; }
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    ((i < 300)) || die "no /healthz within 30s"
    sleep 0.1
done
trigger_out=""
for ((i = 0; ; i++)); do
    if trigger_out=$("$sluice" daemon trigger --wait --timeout 300 2>&1); then break; fi
    ((i < 20)) || { tail -n 30 "$daemon_log" >&2; die "daemon trigger --wait did not succeed: $trigger_out"; }
    sleep 0.5
done
trigger_line=$(head -n 1 <<<"$trigger_out")
say "trigger: $trigger_line"
[[ $(q -c "select count(*) from sluice.revisions") == "$MIGRATIONS" ]] || die "expected $MIGRATIONS revisions after the daemon's cycle"
snapshots=$(q -c "select count(*) from sluice.revisions where schema_snapshot is not null")
snapshot_kb=$(q -c "select coalesce(max(pg_column_size(schema_snapshot)), 0) / 1024 from sluice.revisions")
snapshot_text_kb=$(q -c "select coalesce(max(length(schema_snapshot::text)), 0) / 1024 from sluice.revisions")
live_tables=$(q -c "select count(*) from pg_tables where schemaname = 'public'")

# Ids to look at: one in the middle of the history, a synthetic apply with
# versions and step details, and the event of the `sluice apply` run above
# (MIGRATIONS-1 versions: its page looks up every one of them).
mid_id=$(q -c "select id from sluice.events order by id offset $((EVENTS / 2)) limit 1")
deploy_id=$(q -c "select id from sluice.events where kind = 'apply' and outcome = 'ok' and cardinality(versions) = 3 and id <= $mid_id order by id desc limit 1")
big_apply_id=$(q -c "select id from sluice.events where kind = 'apply' and id <= $real_max_id order by id limit 1")
big_apply_n=$(q -c "select cardinality(versions) from sluice.events where id = $big_apply_id")
prev_version=$(q -c "select version from sluice.revisions where schema_snapshot is not null order by version_key desc offset 1 limit 1")

# ---------------------------------------------------------------------------
# 5. The timed loops: one python3 process, one kept-alive connection
# ---------------------------------------------------------------------------
cat >"$work/load.py" <<'PY'
import http.client, sys, time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
specs = [line.rstrip("\n").split("\t") for line in sys.stdin if line.strip()]
conn = http.client.HTTPConnection(host, port, timeout=300)

def get(path):
    global conn
    for attempt in (0, 1):
        try:
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Connection": "keep-alive"})
            resp = conn.getresponse()
            body = resp.read()
            dt = (time.perf_counter() - t0) * 1000
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=300)
            return resp.status, len(body), dt
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=300)
            if attempt:
                raise

def rank(sorted_values, p):
    # nearest rank
    k = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(k) - 1]

print("%-54s %5s %9s %9s %9s %10s  %s" % ("page", "n", "p50 ms", "p99 ms", "max ms", "bytes", "verdict"))
failed = 0
for label, path, target, mode in specs:
    target = float(target)
    count = 1 if mode == "once" else n
    times, size, statuses = [], 0, set()
    if mode == "loop-warm":
        get(path)  # not timed
    for _ in range(count):
        status, size, dt = get(path)
        statuses.add(status)
        times.append(dt)
    times.sort()
    p50, p99, mx = rank(times, 50), rank(times, 99), times[-1]
    bad = sorted(s for s in statuses if s != 200)
    if bad:
        verdict = "ERROR (HTTP %s)" % ",".join(map(str, bad))
        failed += 1
    else:
        verdict = ("PASS" if p99 < target else "FAIL") + " (p99 < %g ms)" % target
    print("%-54s %5d %9.1f %9.1f %9.1f %10d  %s" % (label, count, p50, p99, mx, size, verdict), flush=True)
sys.exit(1 if failed else 0)
PY

P=$PAGE_TARGET_MS
specs=$(cat <<EOF
/schema (first request: uncached dot)	/schema	$P	once
/schema (cached)	/schema	$P	loop
/	/	$P	loop
/?before=$mid_id	/?before=$mid_id	$P	loop
/deployments/$deploy_id (apply, 3 versions)	/deployments/$deploy_id	$P	loop
/deployments/$big_apply_id (sluice apply run, $big_apply_n versions)	/deployments/$big_apply_id	$P	loop
/schema/$prev_version (first request: uncached dot)	/schema/$prev_version	$P	once
/schema/$prev_version (cached)	/schema/$prev_version	$P	loop
/api/events?limit=50	/api/events?limit=50	$P	loop
/api/status (the status box of /, as JSON)	/api/status	$P	loop
/api/schema	/api/schema	$P	loop
/metrics	/metrics	$METRICS_TARGET_MS	loop
EOF
)
say "timing $N requests per page against $base"
results=$work/results.txt
python3 "$work/load.py" 127.0.0.1 "$port" "$N" <<<"$specs" | tee "$results" >&2 || die "a page did not answer 200"

# ---------------------------------------------------------------------------
# 6. What each page sends to PostgreSQL (own cluster only: needs the server log)
# ---------------------------------------------------------------------------
sql_report=""
if ((own_cluster)) && ((SQL_REQUESTS > 0)); then
    say "logging every statement and connection for $SQL_REQUESTS requests per page"
    pg_log=$pg_dir/postgres.log
    psql -X -q -d postgres -c "ALTER SYSTEM SET log_min_duration_statement = 0" \
        -c "ALTER SYSTEM SET log_connections = on" -c "ALTER SYSTEM SET log_disconnections = on" \
        -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %d|%a| '" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    cat >"$work/sqlcount.py" <<'PY'
import collections, re, sys
from datetime import datetime

log, start, requests, label, dbname = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
with open(log, "rb") as f:
    f.seek(start)
    text = f.read().decode("utf-8", "replace")
prefix = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \S+ \[(\d+)\] ([^|]*)\|([^|]*)\| (\w+):  (.*)$")
entries = []
for line in text.split("\n"):
    m = prefix.match(line)
    if m:
        entries.append([m.group(1), m.group(2), m.group(3), m.group(5), m.group(6)])
    elif entries and line.startswith("\t"):
        entries[-1][4] += " " + line.strip()
conns, total_ms, by_text, received, auth_ms, session_ms, statements = 0, 0.0, collections.defaultdict(lambda: [0, 0.0]), {}, [], [], 0
ts = lambda s: datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f").timestamp() * 1000
for at, pid, db, level, msg in entries:
    if msg.startswith("connection received"):
        received[pid] = ts(at)
        continue
    if db != dbname:
        continue
    if msg.startswith("connection authorized"):
        conns += 1
        if pid in received:
            auth_ms.append(ts(at) - received[pid])
    elif msg.startswith("disconnection"):
        m = re.search(r"session time: (\d+):(\d+):([\d.]+)", msg)
        if m:
            session_ms.append((int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))) * 1000)
    elif msg.startswith("duration:"):
        m = re.match(r"duration: ([\d.]+) ms(?:\s+(parse|bind|execute|statement)\s*[^:]*:\s*(.*))?", msg)
        if not m:
            continue
        ms = float(m.group(1))
        total_ms += ms
        kind, sql = m.group(2), (m.group(3) or "")
        if kind in ("execute", "statement"):
            statements += 1
        key = re.sub(r"\s+", " ", sql)[:90] if sql else "(other)"
        by_text[key][0] += 1 if kind in ("execute", "statement") else 0
        by_text[key][1] += ms
r = float(requests)
avg = lambda xs: sum(xs) / len(xs) if xs else 0.0
print("%-54s %6.1f %7.1f %8.2f %8.2f %9.1f" % (label, conns / r, statements / r, total_ms / r, avg(auth_ms), avg(session_ms)))
top = sorted(by_text.items(), key=lambda kv: -kv[1][1])[:3]
for sql, (count, ms) in top:
    if ms / r >= 0.05:
        print("    %7.2f ms/req %5.1fx  %s" % (ms / r, count / r, sql))
PY
    sql_pages=$(cat <<EOF
/	/
/?before=$mid_id	/?before=$mid_id
/deployments/$deploy_id	/deployments/$deploy_id
/deployments/$big_apply_id ($big_apply_n versions)	/deployments/$big_apply_id
/schema (cached)	/schema
/api/events?limit=50	/api/events?limit=50
/api/status	/api/status
/api/schema	/api/schema
/metrics	/metrics
EOF
)
    sql_report=$work/sql.txt
    printf '%-54s %6s %7s %8s %8s %9s\n' "page (per request)" conns stmts "SQL ms" "auth ms" "session" >"$sql_report"
    while IFS=$'\t' read -r label path; do
        [[ -n $label ]] || continue
        offset=$(stat -c %s "$pg_log")
        for ((i = 0; i < SQL_REQUESTS; i++)); do curl -fsS -o /dev/null "$base$path"; done
        sleep 0.3 # let the server write its disconnection lines
        python3 "$work/sqlcount.py" "$pg_log" "$offset" "$SQL_REQUESTS" "$label" "$db" >>"$sql_report"
    done <<<"$sql_pages"
    psql -X -q -d postgres -c "ALTER SYSTEM RESET log_min_duration_statement" -c "ALTER SYSTEM RESET log_connections" \
        -c "ALTER SYSTEM RESET log_disconnections" -c "ALTER SYSTEM RESET log_line_prefix" -c "SELECT pg_reload_conf()" >/dev/null
fi

[[ ${KEEP:-0} == 1 ]] || stop_daemon

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
printf '\nDashboard benchmark — %s, %d core(s), PostgreSQL %s, Graphviz %s\n' "$(date -u +%Y-%m-%d)" "$(nproc)" \
    "$(q -c 'show server_version')" "$( ((have_dot)) && dot -V 2>&1 | awk '{ print $5 }' || echo 'not installed')"
printf 'sluice: %s\n' "$("$sluice" version 2>/dev/null | head -n 1)"
printf 'schema: %d tables in %d migrations (apply of %d: %s ms); %d versions with a snapshot, the newest %s KiB as jsonb (%s KiB as text)\n' \
    "$live_tables" "$MIGRATIONS" "$((MIGRATIONS - 1))" "$apply_ms" "$snapshots" "$snapshot_kb" "$snapshot_text_kb"
printf 'daemon: applied migration %d from the second commit; then daemon trigger --wait: %s\n' "$MIGRATIONS" "$trigger_line"
printf 'events: %d in sluice.events (%d inserted with SQL in %s ms)\n' "$events_total" "$EVENTS" "$insert_ms"
printf 'requests: %d per page over one kept-alive connection (python3 http.client), wall time per request incl. reading the body\n\n' "$N"
cat "$results"
if [[ -n $sql_report ]]; then
    printf '\nSQL per request (%d requests per page with log_min_duration_statement = 0; server-side time; auth = connection received -> authorized; session = connection lifetime):\n' "$SQL_REQUESTS"
    cat "$sql_report"
fi
if grep -q 'FAIL' "$results"; then
    printf '\nSome pages miss the target (see above).\n'
fi
if [[ ${KEEP:-0} == 1 ]]; then
    trap - EXIT
    printf '\nKEEP=1: left running — dashboard %s (daemon pid %s, log %s)\n' "$base" "$daemon_pid" "$daemon_log"
    printf '    psql: PGPASSFILE=%s psql -h %s -p %s -U %s -d %s\n' "${PGPASSFILE:-}" "$PGHOST" "$PGPORT" "$PGUSER" "$db"
    if [[ -n $pg_dir ]]; then
        printf '    remove: kill %s; (source scripts/lib/pg.sh; sluice_pg_stop %s); rm -rf %s\n' "$daemon_pid" "$pg_dir" "$work"
    else
        printf '    remove: kill %s; dropdb --force %s; rm -rf %s\n' "$daemon_pid" "$db" "$work"
    fi
fi
