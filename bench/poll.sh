#!/usr/bin/env bash
# Benchmark (not a test): the daemon's no-change poll cycle against a large
# repository (10,000 commits, 500 migrations), side by side with `git ls-remote`
# and `git fetch` of the same remote; the SQL a no-change cycle sends; the
# daemon's memory (RssAnon, PSS, RSS) over a simulated hour of polls; and the time from `git push` to
# the recorded revision. Prints figures and a summary table; see bench/README.md.
#
# Environment:
#   COMMITS=10000      commits in the generated repository
#   MIGRATIONS=500     migrations among them (each its own commit)
#   K=30               triggered cycles, and runs of git ls-remote / git fetch
#   POLL_SAMPLES=100   no-change poll cycles timed at a 200ms interval
#   SQL_POLLS=30       poll cycles whose SQL is counted (log_statement = all)
#   POLLS=3600         poll cycles of the footprint run (an hour at 1s)
#   FOOTPRINT_INTERVAL=50ms  poll interval of the footprint run (the daemon
#                      never sleeps under 100ms between cycles, whatever is set)
#   RSS_EVERY=200      sample RssAnon, PSS and RSS every this many polls
#   TARGET_POLLING_MIB=12  RssAnon target of the polling daemon after warm-up
#   TARGET_DEPLOYED_MIB=24 RssAnon target of the daemon as deployed after warm-up
#   FOOTPRINT_MAX_S=600  stop the footprint run after this many seconds anyway
#   DEPLOYED=1         also measure the footprint as deployed (0: skip): a daemon
#                      from an empty mirror and database with HTTP and rehearsal on,
#                      whose first cycle rehearses and applies every migration
#   SCRAPE_EVERY=15    in that run, GET /metrics every this many polls (a
#                      Prometheus scrape every 15 s of the simulated hour at 1 s),
#                      the dashboard, /api/status and /schema every ten scrapes
#   PUSHES=5           push-to-applied measurements (daemon polling every 1s)
#   SLUICE_BIN         the binary to measure (default .build/release/sluice, built
#                      with scripts/build.sh when missing)
#   SKIP_BUILD=1       never build
#
# It always starts its own throwaway PostgreSQL cluster (scripts/lib/pg.sh):
# the SQL count turns on statement logging, which needs the server's log file.
# Needs git, psql/createdb, and jq or python3.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

COMMITS=${COMMITS:-10000}
MIGRATIONS=${MIGRATIONS:-500}
K=${K:-30}
POLL_SAMPLES=${POLL_SAMPLES:-100}
SQL_POLLS=${SQL_POLLS:-30}
POLLS=${POLLS:-3600}
FOOTPRINT_INTERVAL=${FOOTPRINT_INTERVAL:-50ms}
RSS_EVERY=${RSS_EVERY:-200}
TARGET_POLLING_MIB=${TARGET_POLLING_MIB:-12}
TARGET_DEPLOYED_MIB=${TARGET_DEPLOYED_MIB:-24}
FOOTPRINT_MAX_S=${FOOTPRINT_MAX_S:-600}
PUSHES=${PUSHES:-5}
DEPLOYED=${DEPLOYED:-1}
SCRAPE_EVERY=${SCRAPE_EVERY:-15}
export PAGER=cat PSQL_PAGER=cat


((COMMITS > MIGRATIONS + 1 && MIGRATIONS >= 1)) || die "need COMMITS > MIGRATIONS + 1 and MIGRATIONS >= 1"
((MIGRATIONS < 9000)) || die "MIGRATIONS must stay under 9000 (4-digit versions, pushes use the next ones)"
for tool in git psql createdb; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
if command -v jq >/dev/null 2>&1; then
    json() { jq -r "$1 // empty" 2>/dev/null; }
elif command -v python3 >/dev/null 2>&1; then
    # json '.a.b' — the same small subset of jq paths, through python3.
    json() {
        python3 -c '
import json, sys
try:
    v = json.load(sys.stdin)
    for k in sys.argv[1].strip(".").split("."):
        v = v.get(k) if isinstance(v, dict) else None
    if v is not None: print(v)
except Exception: pass' "$1"
    }
else
    die "jq or python3 is required"
fi

# ---------------------------------------------------------------------------
# Scratch space, and everything cleanup must stop
# ---------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-poll.XXXXXX")
pg_dir=""
daemon_pid=""
cleanup() {
    stop_daemon
    if [[ -n $pg_dir ]]; then sluice_pg_stop "$pg_dir"; fi
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# now_us — wall clock in microseconds, without spawning a process.
now_us() { printf '%s\n' "${EPOCHREALTIME/[.,]/}"; }
# ms_since START_US — milliseconds (3 decimals) since START_US.
ms_since() { awk -v a="$1" -v b="$(now_us)" 'BEGIN { printf "%.3f", (b - a) / 1000 }'; }

# stats — numbers on stdin, one a line: prints "n min median p95 max" (p95
# nearest-rank). Empty input prints "0 - - - -".
stats() {
    sed '/^$/d' | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "0 - - - -"; exit }
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            r = int(0.95 * NR); if (r < 0.95 * NR) r++; if (r < 1) r = 1
            printf "%d %.2f %.2f %.2f %.2f\n", NR, v[1], med, v[r], v[NR]
        }'
}

declare -A summary=()  # label -> "n min median p95 max unit"
summary_rows=()
# record LABEL UNIT — stats of stdin, printed and kept for the summary table.
record() {
    local label=$1 unit=$2 s
    s=$(stats)
    summary[$label]="$s $unit"
    summary_rows+=("$label")
    read -r n lo med p95 hi <<<"$s"
    printf '    %-44s n=%-5s min %8s  median %8s  p95 %8s  max %8s %s\n' "$label" "$n" "$lo" "$med" "$p95" "$hi" "$unit"
}

# ---------------------------------------------------------------------------
# The binary: copied, so that a rebuild by someone else during the run does
# not swap it under the daemon between restarts
# ---------------------------------------------------------------------------
src_bin=$(bench_sluice_src "$repo")
[[ -x $src_bin ]] || die "no binary at $src_bin"
sluice=$work/bin/sluice
mkdir -p "$work/bin"
cp "$src_bin" "$sluice"
"$sluice" daemon --help >/dev/null 2>&1 || die "$src_bin has no 'daemon' command: rebuild it"

# ---------------------------------------------------------------------------
# 1. The repository: COMMITS commits, MIGRATIONS of them adding a migration
# ---------------------------------------------------------------------------
bare=$work/remote.git
say "generating a repository of $COMMITS commits and $MIGRATIONS migrations with git fast-import"
gen_start=$(now_us)
# The final folder, to compute sluice.sum once with `sluice hash`; the last
# commit of the history adds it.
final=$work/final/migrations
mkdir -p "$final"
for ((m = 1; m <= MIGRATIONS; m++)); do
    name=$(printf '%04d_bench_p%d' "$m" "$m")
    printf 'CREATE TABLE bench_p%d (id int);\n' "$m" >"$final/$name.up.sql"
    printf 'DROP TABLE bench_p%d;\n' "$m" >"$final/$name.down.sql"
done
"$sluice" hash --dir "$final" >/dev/null
git init -q --bare -b main "$bare"
{
    # Commits 1 .. COMMITS-1: every STEP-th adds the next migration, the others
    # edit one of 200 application files (and now and then the README).
    awk -v commits="$COMMITS" -v migrations="$MIGRATIONS" '
        BEGIN {
            step = int((commits - 1) / migrations); m = 0; t = 1700000000
            who = "Bench Author <bench@example.invalid>"
            for (c = 1; c < commits; c++) {
                t += 60
                printf "commit refs/heads/main\nmark :%d\n", c
                printf "author %s %d +0000\ncommitter %s %d +0000\n", who, t, who, t
                if (c % step == 0 && m < migrations) {
                    m++
                    printf "data <<MSG\nAdd migration %04d\nMSG\n", m
                    printf "M 100644 inline migrations/%04d_bench_p%d.up.sql\ndata <<SQL\nCREATE TABLE bench_p%d (id int);\nSQL\n", m, m, m
                    printf "M 100644 inline migrations/%04d_bench_p%d.down.sql\ndata <<SQL\nDROP TABLE bench_p%d;\nSQL\n", m, m, m
                } else {
                    printf "data <<MSG\nApp change %d\nMSG\n", c
                    printf "M 100644 inline app/file-%d.txt\ndata <<TXT\nrevision %d\nTXT\n", c % 200, c
                    if (c % 97 == 1) printf "M 100644 inline README\ndata <<TXT\nSluice poll benchmark repository, revision %d\nTXT\n", c
                }
                printf "\n"
            }
            if (m < migrations) { printf "too few commits for the migrations\n" > "/dev/stderr"; exit 1 }
        }'
    printf 'commit refs/heads/main\nmark :%d\n' "$COMMITS"
    printf 'author Bench Author <bench@example.invalid> %d +0000\n' $((1700000000 + COMMITS * 60))
    printf 'committer Bench Author <bench@example.invalid> %d +0000\n' $((1700000000 + COMMITS * 60))
    printf 'data <<MSG\nAdd sluice.sum\nMSG\n'
    printf 'M 100644 inline migrations/sluice.sum\ndata <<SUM_END_OF_FILE\n'
    cat "$final/sluice.sum"
    printf 'SUM_END_OF_FILE\n\n'
} | git -C "$bare" fast-import --quiet 2>"$work/fast-import.log" \
    || { cat "$work/fast-import.log" >&2; die "git fast-import failed"; }
got=$(git -C "$bare" rev-list --count main 2>/dev/null || echo 0)
((got == COMMITS)) || { cat "$work/fast-import.log" >&2; die "fast-import made $got commits, expected $COMMITS"; }
import_ms=$(ms_since "$gen_start")
repack_start=$(now_us)
git -C "$bare" repack -a -d -q
git -C "$bare" gc --quiet --prune=now 2>/dev/null || true
repack_ms=$(ms_since "$repack_start")
repo_kb=$(du -sk "$bare" | cut -f1)
tree_files=$(git -C "$bare" ls-tree -r --name-only main | wc -l)
printf '\n1. repository: %d commits, %d migrations, %d files at the tip\n' "$COMMITS" "$MIGRATIONS" "$tree_files"
printf '    fast-import %.0f ms, repack+gc %.0f ms, size on disk %d KiB (%s)\n' "$import_ms" "$repack_ms" "$repo_kb" "$bare"

# ---------------------------------------------------------------------------
# 2. PostgreSQL, the database, and the daemon's first cycle (500 migrations)
# ---------------------------------------------------------------------------
# Its own mktemp dir: the postgres OS user cannot enter $work (mode 0700).
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-poll-pg.XXXXXX")
sluice_pg_start "$pg_dir"
db=sluice_poll_bench
createdb "$db"
pg_log=$pg_dir/postgres.log
# Local socket, trust auth: quick psql calls for the latency probe.
psql_local() { psql -X -q -At -h "$pg_dir/run" -d "$db" "$@"; }

export SLUICE_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/$db"
export SLUICE_REPOSITORY_URL=$bare
export SLUICE_REPOSITORY_BRANCH=main
export SLUICE_REPOSITORY_PATH=migrations
export SLUICE_REPOSITORY_STATE_DIR=$work/state
export SLUICE_DAEMON_CONTROL_SOCKET=$work/control.sock
export SLUICE_DAEMON_HTTP=off
export SLUICE_REHEARSAL_ENABLED=false
export XDG_CACHE_HOME=$work/cache
unset SLUICE_CONFIG

# status_json — `sluice daemon status --format json`, empty on failure.
status_json() { "$sluice" daemon status --format json 2>/dev/null || true; }

# start_daemon INTERVAL LOG — start `sluice daemon run` polling every INTERVAL
# (debug log to LOG: one line per cycle) and wait until it answers status.
start_daemon() {
    local interval=$1 log=$2 i
    SLUICE_REPOSITORY_POLL_INTERVAL=$interval "$sluice" daemon run --log-level debug >"$log" 2>&1 &
    daemon_pid=$!
    for ((i = 0; i < 300; i++)); do
        kill -0 "$daemon_pid" 2>/dev/null || { tail -n 30 "$log" >&2; daemon_pid=""; die "the daemon exited"; }
        [[ -n $(status_json | json .pid) ]] && return 0
        sleep 0.1
    done
    die "the daemon did not answer on its control socket within 30s"
}


# cycles_in LOG — the number of cycles the daemon logged so far.
cycles_in() { grep -c 'cycle.result=' "$1" 2>/dev/null || true; }
# poll_durations LOG — duration_ms of every no-change poll cycle in LOG.
poll_durations() {
    grep 'cycle.cause=poll' "$1" | grep 'cycle.result=noop' \
        | sed -n 's/.*cycle\.duration_ms=\([0-9]*\).*/\1/p'
}
# wait_cycles LOG N SECONDS — wait until LOG shows N cycles (bounded).
wait_cycles() {
    local log=$1 n=$2 limit=$3 start=$SECONDS
    while (($(cycles_in "$log") < n)); do
        ((SECONDS - start < limit)) || die "only $(cycles_in "$log") of $n cycles within ${limit}s (log: $(tail -n 3 "$log"))"
        kill -0 "$daemon_pid" 2>/dev/null || die "the daemon exited: $(tail -n 5 "$log")"
        sleep 0.2
    done
}

say "first cycle: the daemon clones the mirror and applies $MIGRATIONS migrations"
first_start=$(now_us)
start_daemon 1h "$work/daemon-first.log"
for ((i = 0; ; i++)); do
    s=$(status_json)
    result=$(json .lastCycle.result <<<"$s")
    [[ -n $result ]] && break
    ((i < 3000)) || die "no first cycle within 300s"
    sleep 0.1
done
first_ms=$(ms_since "$first_start")
[[ $result == applied ]] || die "first cycle: $result — $(json .lastCycle.message <<<"$s")"
first_cycle_ms=$(json .lastCycle.durationMs <<<"$s")
applied=$(psql_local -c "select count(*) from sluice.revisions")
((applied == MIGRATIONS)) || die "expected $MIGRATIONS revisions, found $applied"
printf '\n2. first cycle (clone + %d migrations): %s ms in the cycle, %.0f ms from start to status\n' \
    "$MIGRATIONS" "$first_cycle_ms" "$first_ms"

# ---------------------------------------------------------------------------
# 3. No-change cycles: triggered (forced re-plan), then the pure poll path
# ---------------------------------------------------------------------------
say "$K triggered cycles (daemon trigger --wait)"
: >"$work/trigger-daemon.txt"
: >"$work/trigger-wall.txt"
for ((i = 0; i < K; i++)); do
    t0=$(now_us)
    out=$("$sluice" daemon trigger --wait --timeout 60 --format json) || die "trigger failed: $out"
    ms_since "$t0" >>"$work/trigger-wall.txt"; echo >>"$work/trigger-wall.txt"
    [[ $(json .result <<<"$out") == noop ]] || die "a triggered cycle did something: $out"
    json .durationMs <<<"$out" >>"$work/trigger-daemon.txt"
done
stop_daemon
printf '\n3. no-change cycles (durationMs as the daemon measures it; wall = the trigger command)\n'
record "trigger --wait: cycle (forced re-plan)" ms <"$work/trigger-daemon.txt"
record "trigger --wait: wall, client included" ms <"$work/trigger-wall.txt"

say "pure poll path: $POLL_SAMPLES polls at 200ms"
start_daemon 200ms "$work/daemon-poll.log"
wait_cycles "$work/daemon-poll.log" $((POLL_SAMPLES + 1)) $((POLL_SAMPLES + 60))
# Cross-check against `daemon status`: its lastCycle is a poll, a no-op.
s=$(status_json)
[[ $(json .lastCycle.cause <<<"$s") == poll && $(json .lastCycle.result <<<"$s") == noop ]] \
    || die "unexpected last cycle: $s"
stop_daemon
# The first poll after a start is cold (new process): reported apart.
poll_durations "$work/daemon-poll.log" | head -n 1 >"$work/poll-first.txt"
poll_durations "$work/daemon-poll.log" | tail -n +2 >"$work/poll.txt"
record "poll (no change), daemon cycle" ms <"$work/poll.txt"
printf '    (first poll after start, cold: %s ms; every cycle read from the debug log, checked against daemon status)\n' \
    "$(cat "$work/poll-first.txt")"

# ---------------------------------------------------------------------------
# 4. git ls-remote and git fetch of the same remote, nothing to fetch
# ---------------------------------------------------------------------------
say "git ls-remote and git fetch, $K times each"
git clone -q --mirror "$bare" "$work/git-mirror.git"
: >"$work/ls-remote.txt"
: >"$work/fetch.txt"
for ((i = 0; i < K; i++)); do
    t0=$(now_us)
    git ls-remote "$bare" >/dev/null
    ms_since "$t0" >>"$work/ls-remote.txt"; echo >>"$work/ls-remote.txt"
    t0=$(now_us)
    git -C "$work/git-mirror.git" fetch -q
    ms_since "$t0" >>"$work/fetch.txt"; echo >>"$work/fetch.txt"
done
printf '\n4. git on the same remote (a process each, wall time)\n'
record "git ls-remote" ms <"$work/ls-remote.txt"
record "git fetch (mirror clone, nothing new)" ms <"$work/fetch.txt"
read -r _ _ poll_med _ <<<"${summary[poll (no change), daemon cycle]}"
read -r _ _ fetch_med _ <<<"${summary[git fetch (mirror clone, nothing new)]}"
ratio=$(awk -v a="$poll_med" -v b="$fetch_med" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r != "-" && r <= 1.5) ? "within the 1.5x target" : "OVER the 1.5x target" }')
printf '    poll cycle median / git fetch median = %s (%s)\n' "$ratio" "$verdict"

# ---------------------------------------------------------------------------
# 5. SQL per no-change poll: log_statement = all on the database
# ---------------------------------------------------------------------------
say "SQL per no-change poll: $SQL_POLLS polls with log_statement = all"
psql -X -q -d postgres >/dev/null <<SQL
ALTER SYSTEM SET log_line_prefix = '%m [%p] db=%d app=%a: ';
ALTER SYSTEM SET log_connections = on;
ALTER SYSTEM SET log_disconnections = on;
SELECT pg_reload_conf();
ALTER DATABASE $db SET log_statement = 'all';
SQL
sleep 0.5  # the postmaster rereads its config asynchronously
log_from=$(($(stat -c %s "$pg_log") + 1))
start_daemon 200ms "$work/daemon-sql.log"
wait_cycles "$work/daemon-sql.log" "$SQL_POLLS" $((SQL_POLLS + 60))
stop_daemon
sleep 0.3  # the last backend's disconnection line
tail -c +"$log_from" "$pg_log" >"$work/pg-sql.log"
psql -X -q -d postgres >/dev/null <<SQL
ALTER DATABASE $db RESET log_statement;
ALTER SYSTEM RESET log_line_prefix;
ALTER SYSTEM RESET log_connections;
ALTER SYSTEM RESET log_disconnections;
SELECT pg_reload_conf();
SQL
sql_cycles=$(cycles_in "$work/daemon-sql.log")
# The daemon's lines: our database, not psql (the status calls do not touch it).
grep " db=$db " "$work/pg-sql.log" | grep -v ' app=psql' >"$work/pg-daemon.log" || true
statements=$(grep -cE 'LOG:  (statement|execute [^:]*):' "$work/pg-daemon.log" || true)
connections=$(grep -c 'LOG:  connection authorized' "$work/pg-daemon.log" || true)
printf '\n5. SQL of %d no-change poll cycles (whole daemon run, start and stop included)\n' "$sql_cycles"
printf '    %d statements, %d connections: %s statements and %s connections per cycle\n' "$statements" "$connections" \
    "$(awk -v a="$statements" -v c="$sql_cycles" 'BEGIN { printf "%.2f", c ? a / c : 0 }')" \
    "$(awk -v a="$connections" -v c="$sql_cycles" 'BEGIN { printf "%.2f", c ? a / c : 0 }')"
printf '    statements by text (first line; count):\n'
grep -E 'LOG:  (statement|execute [^:]*):' "$work/pg-daemon.log" \
    | sed -E 's/.*LOG:  (statement|execute [^:]*): *//' | cut -c1-100 | sort | uniq -c | sort -rn \
    | sed 's/^/      /'
printf '    statements per backend (connection): %s\n' "$(
    grep -E 'LOG:  (statement|execute [^:]*):' "$work/pg-daemon.log" | sed -E 's/.*\[([0-9]+)\].*/\1/' \
        | sort | uniq -c | awk '{ print $1 }' | sort -n | uniq -c | awk '{ printf "%s%d backend(s) x %d", (NR > 1 ? ", " : ""), $1, $2 }')"
summary[sql statements / cycle]="$(awk -v a="$statements" -v c="$sql_cycles" 'BEGIN { printf "%.2f", c ? a / c : 0 }')"
summary[connections / cycle]="$(awk -v a="$connections" -v c="$sql_cycles" 'BEGIN { printf "%.2f", c ? a / c : 0 }')"

# ---------------------------------------------------------------------------
# 6. Footprint: RssAnon, PSS and RSS over POLLS polls, twice
# ---------------------------------------------------------------------------
# sample N — "N RSS RssAnon PSS" (KiB) of the daemon. RssAnon (/proc/PID/status) is its
# private anonymous memory: heap, stacks, what it really costs. PSS (smaps_rollup) adds its
# share of the file pages it maps (binary, libraries), each page divided among the processes
# that map it. RSS counts every mapped page in memory, shared or clean, in full.
sample() {
    printf '%d %d %d %d\n' "$1" \
        "$(awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status")" \
        "$(awk '/^RssAnon:/ { print $2 }' "/proc/$daemon_pid/status")" \
        "$(awk '/^Pss:/ { print $2 }' "/proc/$daemon_pid/smaps_rollup")"
}

# footprint NAME LOG SCRAPE TARGET_MIB — with the daemon started (logging to LOG), sample it
# every RSS_EVERY cycles until POLLS cycles (or FOOTPRINT_MAX_S); with SCRAPE (a base URL) also
# GET /metrics every SCRAPE_EVERY cycles and the dashboard, /api/status and the schema diagram
# every 10 × SCRAPE_EVERY, as Prometheus and a person would. Judged after warm-up (the first
# RSS_EVERY cycles): RssAnon at most TARGET_MIB, and flat (it grows by less than 1 MiB). RSS
# is reported, not judged. Prints the samples and sets fp_line_NAME for the summary.
footprint() {
    local name=$1 log=$2 scrape=$3 target=$4 mem=$work/mem-$1.txt start n next stopped=0 scraped=0 ms hwm cycles bad
    : >"$mem"
    start=$(now_us)
    sample 0 >>"$mem"
    next=$RSS_EVERY
    local next_scrape=$SCRAPE_EVERY
    while :; do
        n=$(cycles_in "$log")
        if ((n >= next)); then
            sample "$n" >>"$mem"
            next=$(((n / RSS_EVERY + 1) * RSS_EVERY))
        fi
        if [[ -n $scrape ]] && ((n >= next_scrape)); then
            curl -fsS -o /dev/null "$scrape/metrics" || die "GET $scrape/metrics failed"
            if ((scraped % 10 == 0)); then
                curl -fsS -o /dev/null "$scrape/" || die "GET $scrape/ (dashboard) failed"
                curl -fsS -o /dev/null "$scrape/api/status" || die "GET $scrape/api/status failed"
                curl -fsS -o /dev/null "$scrape/schema" || die "GET $scrape/schema (diagram) failed"
            fi
            scraped=$((scraped + 1))
            next_scrape=$(((n / SCRAPE_EVERY + 1) * SCRAPE_EVERY))
        fi
        ((n >= POLLS)) && break
        if (($(now_us) - start > FOOTPRINT_MAX_S * 1000000)); then
            stopped=1
            sample "$n" >>"$mem"
            break
        fi
        kill -0 "$daemon_pid" 2>/dev/null || die "the daemon exited: $(tail -n 5 "$log")"
        sleep 0.5
    done
    ms=$(ms_since "$start")
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$daemon_pid/status")
    cycles=$(cycles_in "$log")
    bad=$(grep 'cycle.result=' "$log" | grep -vc 'cycle.result=noop' || true)
    stop_daemon
    printf '    %d cycles in %.0f s (%.1f/s), %d not no-op%s%s\n' "$cycles" \
        "$(awk -v m="$ms" 'BEGIN { print m / 1000 }')" \
        "$(awk -v n="$cycles" -v m="$ms" 'BEGIN { print n / (m / 1000) }')" "$bad" \
        "$( ((scraped)) && printf '; %d scrapes of /metrics' "$scraped")" \
        "$( ((stopped)) && printf ' — stopped at the %ss limit before %d' "$FOOTPRINT_MAX_S" "$POLLS")"
    printf '    samples (cycles: RssAnon / PSS / RSS MiB):\n'
    awk '{ printf "      %5d: %5.1f / %5.1f / %5.1f\n", $1, $3 / 1024, $4 / 1024, $2 / 1024 }' "$mem"
    # After warm-up: the samples from the one after RSS_EVERY cycles on (the first cycle's
    # work, and the trim on the quiet cycle after it, are over).
    local line verdict
    line=$(awk -v target="$target" -v hwm="$hwm" '
        NR == 1 { next }
        NR == 2 { wa = $3; wp = $4; wr = $2 }
        { la = $3; lp = $4; lr = $2
          if ($3 > ma) ma = $3; if ($4 > mp) mp = $4; if ($2 > mr) mr = $2 }
        END {
            if (NR < 2) { print "MISSED", "no samples after warm-up"; exit }
            g = la - wa
            ok = (ma <= target * 1024 && g < 1024)
            printf "%s RssAnon %.1f after warm-up, %.1f last, %.1f max (growth %+d KiB; target <= %d MiB, growth < 1 MiB); PSS %.1f, %.1f, %.1f max; RSS %.1f, %.1f, %.1f max, VmHWM %.1f\n",
                (ok ? "met" : "MISSED"), wa / 1024, la / 1024, ma / 1024, g, target,
                wp / 1024, lp / 1024, mp / 1024, wr / 1024, lr / 1024, mr / 1024, hwm / 1024
        }' "$mem")
    verdict=${line%% *}
    printf '    %s: %s\n' "$verdict" "${line#* }"
    printf -v "fp_line_$name" '%s' "$(awk -v target="$target" '
        NR == 1 { next } NR == 2 { wa = $3; wp = $4; wr = $2 }
        { la = $3; lp = $4; lr = $2; if ($3 > ma) ma = $3 }
        END { printf "RssAnon %.1f -> %.1f (max %.1f), PSS %.1f -> %.1f, RSS %.1f -> %.1f", wa / 1024, la / 1024, ma / 1024, wp / 1024, lp / 1024, wr / 1024, lr / 1024 }' "$mem") — target $verdict"
    printf -v "fp_cycles_$name" '%s' "$cycles"
}

say "footprint: $POLLS polls at $FOOTPRINT_INTERVAL (at most ${FOOTPRINT_MAX_S}s)"
fp_log=$work/daemon-footprint.log
start_daemon "$FOOTPRINT_INTERVAL" "$fp_log"
printf '\n6. footprint: the daemon restarted on the applied database, polling (HTTP off, no rehearsal)\n'
footprint polls "$fp_log" "" "$TARGET_POLLING_MIB"
poll_durations "$fp_log" | tail -n +2 >"$work/poll-footprint.txt"
record "poll (no change) during footprint run" ms <"$work/poll-footprint.txt"

# The same, as a daemon is deployed: the defaults for HTTP (health, /metrics, API, dashboard)
# and rehearsal (template clone, verify-down), from an empty mirror and an empty database, so
# the first cycle clones the repository, rehearses and applies every migration, and the
# polls after it show what that busy cycle left resident.
if ((DEPLOYED)); then
    say "footprint as deployed: first cycle from nothing (rehearsed), then $POLLS polls with HTTP and scrapes"
    createdb sluice_poll_deployed
    http_port=$(_sluice_pick_port) || die "no free TCP port for daemon.http"
    saved_env=("$SLUICE_DATABASE_URL" "$SLUICE_REPOSITORY_STATE_DIR" "$SLUICE_DAEMON_CONTROL_SOCKET")
    export SLUICE_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/sluice_poll_deployed"
    export SLUICE_REPOSITORY_STATE_DIR=$work/state-deployed SLUICE_DAEMON_CONTROL_SOCKET=$work/control-deployed.sock
    export SLUICE_DAEMON_HTTP=127.0.0.1:$http_port SLUICE_REHEARSAL_ENABLED=true SLUICE_REHEARSAL_STRATEGY=template
    dp_log=$work/daemon-deployed.log
    start_daemon "$FOOTPRINT_INTERVAL" "$dp_log"
    wait_cycles "$dp_log" 1 600
    grep -m1 'cycle.result=' "$dp_log" | grep -q 'cycle.result=applied' \
        || die "the deployed daemon's first cycle did not apply: $(grep -m1 'cycle.result=' "$dp_log")"
    printf '\n6b. footprint as deployed: first cycle cloned, rehearsed and applied %d migrations, then polls;\n' "$MIGRATIONS"
    printf '    HTTP on (/metrics every %d cycles; dashboard, /api/status, /schema every %d)\n' "$SCRAPE_EVERY" $((SCRAPE_EVERY * 10))
    footprint deployed "$dp_log" "http://127.0.0.1:$http_port" "$TARGET_DEPLOYED_MIB"
    export SLUICE_DATABASE_URL=${saved_env[0]} SLUICE_REPOSITORY_STATE_DIR=${saved_env[1]} SLUICE_DAEMON_CONTROL_SOCKET=${saved_env[2]}
    export SLUICE_DAEMON_HTTP=off SLUICE_REHEARSAL_ENABLED=false
    unset SLUICE_REHEARSAL_STRATEGY
fi

# ---------------------------------------------------------------------------
# 7. Push to applied, the daemon polling every 1s
# ---------------------------------------------------------------------------
say "push to applied: $PUSHES pushes, daemon polling every 1s"
work_clone=$work/clone
git clone -q "$bare" "$work_clone"
git -C "$work_clone" config user.name "Bench Pusher"
git -C "$work_clone" config user.email "push@example.invalid"
push_log=$work/daemon-push.log
start_daemon 1s "$push_log"
wait_cycles "$push_log" 1 30
: >"$work/push-latency.txt"
: >"$work/push-cycle.txt"
: >"$work/push-git.txt"
for ((p = 1; p <= PUSHES; p++)); do
    v=$((MIGRATIONS + p))
    name=$(printf '%04d_pushed_%d' "$v" "$p")
    printf 'CREATE TABLE bench_pushed_%d (id int);\n' "$p" >"$work_clone/migrations/$name.up.sql"
    printf 'DROP TABLE bench_pushed_%d;\n' "$p" >"$work_clone/migrations/$name.down.sql"
    "$sluice" hash --dir "$work_clone/migrations" >/dev/null
    git -C "$work_clone" add -A migrations
    git -C "$work_clone" commit -q -m "Add migration $name"
    # Land between polls at a varying phase, as a real push would.
    sleep "0.$((RANDOM % 10))"
    before=$(cycles_in "$push_log")
    t0=$(now_us)
    git -C "$work_clone" push -q origin main
    t1=$(now_us)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1000 }' >>"$work/push-git.txt"
    found=0
    for ((i = 0; i < 1500; i++)); do  # 20 ms steps, 30 s at most
        if [[ $(psql_local -c "select count(*) from sluice.revisions where ltrim(version, '0') = '$v'") == 1 ]]; then
            found=1
            break
        fi
        sleep 0.02
    done
    ((found)) || die "version $v not recorded within 30s of the push"
    ms_since "$t1" >>"$work/push-latency.txt"; echo >>"$work/push-latency.txt"
    # The applying cycle's own duration, from the daemon's log.
    for ((i = 0; i < 100; i++)); do
        line=$(tail -n +"$((before + 1))" <(grep 'cycle.result=' "$push_log") | grep -m1 'cycle.result=applied' || true)
        [[ -n $line ]] && break
        sleep 0.05
    done
    sed -n 's/.*cycle\.duration_ms=\([0-9]*\).*/\1/p' <<<"$line" >>"$work/push-cycle.txt"
done
stop_daemon
printf '\n7. push to applied (daemon poll interval 1s +-10%% jitter; probe: psql every 20 ms over the local socket)\n'
record "push -> revision recorded" ms <"$work/push-latency.txt"
record "  of which the applying cycle" ms <"$work/push-cycle.txt"
record "  git push itself (not included)" ms <"$work/push-git.txt"

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
printf '\nSummary — %s, %d core(s), PostgreSQL %s, git %s\n' "$(date -u +%Y-%m-%d)" "$(nproc)" \
    "$(psql -X -At -d postgres -c 'show server_version')" "$(git --version | awk '{ print $3 }')"
printf 'sluice: %s\n' "$("$sluice" --version 2>/dev/null | head -n 1)"
printf 'repository: %d commits, %d migrations, %d KiB; fast-import %.0f ms\n\n' "$COMMITS" "$MIGRATIONS" "$repo_kb" "$import_ms"
printf '| %-44s | %5s | %8s | %8s | %8s | %8s | %-4s |\n' measure n min median p95 max unit
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" ------- ---------- ---------- ---------- ---------- ------
for label in "${summary_rows[@]}"; do
    read -r n lo med p95 hi unit <<<"${summary[$label]}"
    printf '| %-44s | %5s | %8s | %8s | %8s | %8s | %-4s |\n' "$label" "$n" "$lo" "$med" "$p95" "$hi" "$unit"
done
printf '\n'
printf '%-46s %s\n' "poll median / git fetch median:" "$ratio ($verdict)"
printf '%-46s %s\n' "SQL statements per no-change poll:" "${summary[sql statements / cycle]} (connections per poll: ${summary[connections / cycle]})"
printf '%-46s %s\n' "memory over $fp_cycles_polls polls (MiB):" "$fp_line_polls"
if ((DEPLOYED)); then
    printf '%-46s %s\n' "memory as deployed, $fp_cycles_deployed cycles (MiB):" "$fp_line_deployed"
fi
