#!/usr/bin/env bash
# Benchmark (not a test): how long `sluice lint` takes on 1,000 mixed, realistic
# migrations, next to squawk (a PostgreSQL migration linter) on the same up
# files, and where the two disagree. No database is needed. Prints findings by
# rule, a squawk <-> Sluice rule mapping with the files squawk flags and Sluice
# does not (coverage gaps), and a table of seconds; see bench/README.md.
#
# Environment:
#   N=1000            number of generated migrations (golang-migrate pairs)
#   RUNS=5            timed runs of each command; min, median and max are shown
#   SEED=42           seed of the generator (same SEED and N: same files)
#   SLUICE_BIN        the sluice binary (default .build/release/sluice; when that
#                     default is missing it is built with
#                     scripts/build.sh, unless SKIP_BUILD=1)
#   GAPS=10           files listed per mapped rule that squawk flags and Sluice does not
#   KEEP=1            keep the generated folder (its path is printed)
#
# squawk is installed with `pip install squawk-cli` when missing; when that is
# not possible it prints "squawk: skipped (reason)" and Sluice still runs.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

N=${N:-1000}
RUNS=${RUNS:-5}
SEED=${SEED:-42}
GAPS=${GAPS:-10}


[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a number"
[[ $GAPS =~ ^[0-9]+$ ]] || die "GAPS must be a number"
command -v python3 >/dev/null 2>&1 || die "python3 is required (it generates the migrations and reads both tools' JSON)"

# ---------------------------------------------------------------------------
# Scratch space
# ---------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-lint.XXXXXX")
cleanup() {
    if [[ ${KEEP:-0} == 1 ]]; then say "kept $work"; else rm -rf -- "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# The Sluice binary (copied, so a rebuild by someone else mid-run cannot swap it)
# ---------------------------------------------------------------------------
sluice_src=$(bench_sluice_src "$repo")
[[ -x $sluice_src ]] || die "no sluice binary at $sluice_src (set SLUICE_BIN)"
mkdir -p "$work/bin"
cp "$sluice_src" "$work/bin/sluice"
sluice=$work/bin/sluice

# ---------------------------------------------------------------------------
# squawk (pip install squawk-cli), optional
# ---------------------------------------------------------------------------
squawk_skip=""  # the reason the squawk rows are skipped, when they are
if ! command -v squawk >/dev/null 2>&1 || ! squawk --version >/dev/null 2>&1; then
    pip=""
    if command -v pip >/dev/null 2>&1; then pip=pip
    elif command -v pip3 >/dev/null 2>&1; then pip=pip3
    elif python3 -m pip --version >/dev/null 2>&1; then pip="python3 -m pip"
    fi
    if [[ -z $pip ]]; then
        squawk_skip="not installed, and no pip to install squawk-cli with"
    else
        say "squawk not found: $pip install squawk-cli"
        if $pip install --quiet squawk-cli >"$work/pip.log" 2>&1; then
            hash -r
            if command -v pyenv >/dev/null 2>&1; then pyenv rehash >/dev/null 2>&1 || true; fi
            if ! command -v squawk >/dev/null 2>&1 || ! squawk --version >/dev/null 2>&1; then
                squawk_skip="pip installed squawk-cli, but no working squawk is on PATH"
            fi
        else
            why=$(grep -m 1 -iE '^error' "$work/pip.log" || tail -n 1 "$work/pip.log")
            squawk_skip="$pip install squawk-cli failed: $(cut -c1-160 <<<"$why")"
        fi
    fi
fi
squawk=""
if [[ -z $squawk_skip ]]; then
    squawk=$(command -v squawk)
    # pyenv's shim is a bash script that runs `pyenv exec`: about 60 ms a call
    # that is not squawk's own. Time the real binary instead.
    if [[ $squawk == */shims/* ]] && command -v pyenv >/dev/null 2>&1; then
        squawk=$(pyenv which squawk 2>/dev/null || echo "$squawk")
    fi
    if [[ $(head -c 2 "$squawk" 2>/dev/null) == '#!' ]]; then
        say "note: $squawk is a script wrapper; its own start-up is in squawk's times"
    fi
fi
if [[ -n $squawk_skip ]]; then say "squawk: skipped ($squawk_skip)"; fi

# ---------------------------------------------------------------------------
# Generate the migrations (deterministic: SEED)
# ---------------------------------------------------------------------------
migrations=$work/migrations
mkdir -p "$migrations"
say "generating $N migrations (seed $SEED) in $migrations"
python3 - "$N" "$SEED" "$migrations" <<'PY'
import os, random, re, sys

n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)

NOUNS = ["account", "customer", "order", "invoice", "payment", "product", "shipment", "address",
         "session", "subscription", "coupon", "warehouse", "supplier", "review", "ticket", "team",
         "project", "task", "comment", "tag", "note", "event", "device", "plan", "refund", "cart",
         "category", "employee", "message", "report", "webhook", "upload", "region", "price", "visit"]


class Col:
    def __init__(self, name, typ, nullable=True, default=None, extra="", core=False):
        self.name, self.typ, self.nullable, self.default = name, typ, nullable, default
        self.extra = extra      # inline constraint text (REFERENCES …, UNIQUE), kept for the re-create
        self.core = core        # id / created_at: never dropped, renamed or retyped
        self.in_view = False
        self.constrained = False  # a tracked constraint or FK uses it
        self.nn_check = None      # name of its CHECK (col IS NOT NULL) constraint, if any

    def ddl(self, with_extra=True):
        s = f"{self.name} {self.typ}"
        if not self.nullable and "PRIMARY KEY" not in self.extra:
            s += " NOT NULL"
        if self.default is not None:
            s += f" DEFAULT {self.default}"
        if with_extra and self.extra:
            s += " " + self.extra
        return s


def plural(noun):
    if noun.endswith("y"):
        return noun[:-1] + "ies"
    if noun.endswith("s"):
        return noun + "es"
    return noun + "s"


def uses(what, col):
    """Whether an index expression like "(lower(email))" uses column col."""
    return re.search(r"\b%s\b" % re.escape(col), what) is not None


class Table:
    def __init__(self, name, noun):
        self.name, self.noun = name, noun
        self.cols = {}
        self.indexes = {}        # name -> (cols sql, unique)
        self.constraints = {}    # name -> {"kind": fk|check|unique, "valid": bool, "col": name}
        self.fk_in = set()       # names of constraints on other tables that reference this one
        self.views = set()
        self.triggers = set()

    def add(self, col):
        self.cols[col.name] = col
        return col


tables = {}       # name -> Table (live ones)
views = {}        # name -> (table name, sql)
volatile_fns = [] # user functions (volatile by default) that later defaults call
used_names = set()


def uniq(base):
    name, k = base, 2
    while name in used_names:
        name = f"{base}_{k}"
        k += 1
    used_names.add(name)
    return name


def pick(seq):
    seq = list(seq)
    return rng.choice(seq) if seq else None


def header(i, text):
    lines = [f"-- {text}"]
    r = rng.random()
    if r < 0.25:
        lines.append(f"-- ticket: OPS-{1000 + i}")
    elif r < 0.35:
        lines.append(f"/* {text}.\n * Generated for the lint benchmark; reviewed by the data team. */")
    return "\n".join(lines) + "\n"


NO_TX = "-- sluice:no-transaction\n"


# --------------------------------------------------------------------------- kinds
def k_create_table(i):
    noun = pick(NOUNS)
    t = Table(uniq(plural(noun)), noun)
    used_names.update({f"{t.name}_pkey", f"{t.name}_id_seq"})  # PostgreSQL names these
    t.add(Col("id", "bigint", nullable=False, extra="GENERATED ALWAYS AS IDENTITY PRIMARY KEY", core=True))
    parent = pick(tables.values()) if tables and rng.random() < 0.5 else None
    if parent:
        c = t.add(Col(f"{parent.noun}_id", "bigint", nullable=False,
                      extra=f"REFERENCES {parent.name} (id) ON DELETE CASCADE"))
        c.constrained = True
        parent.fk_in.add(f"{t.name}.{c.name}")
        used_names.add(f"{t.name}_{c.name}_fkey")
    t.add(Col("name", "text", nullable=False))
    t.add(Col("status", "text", nullable=False, default="'active'"))
    if rng.random() < 0.5:
        t.add(Col("amount", "numeric(12,2)", nullable=False, default="0"))
    else:
        t.add(Col("quantity", "integer", nullable=False, default="0"))
    if rng.random() < 0.6:
        t.add(Col("reference", "varchar(64)"))
    if rng.random() < 0.4:
        t.add(Col("owner_id", "bigint"))
    if rng.random() < 0.3:
        t.add(Col("email", "varchar(255)"))
    t.add(Col("created_at", "timestamptz", nullable=False, default="now()", core=True))
    t.add(Col("updated_at", "timestamptz"))
    lines = [f"    {c.ddl()}" for c in t.cols.values()]
    cname = uniq(f"{t.name}_status_check")
    lines.append(f"    CONSTRAINT {cname} CHECK (status IN ('active', 'inactive', 'archived'))")
    t.constraints[cname] = {"kind": "check", "valid": True, "col": "status"}
    t.cols["status"].constrained = True
    if "reference" in t.cols and rng.random() < 0.4:
        cname = uniq(f"{t.name}_reference_key")
        lines.append(f"    CONSTRAINT {cname} UNIQUE (reference)")
        t.constraints[cname] = {"kind": "unique", "valid": True, "col": "reference"}
        t.cols["reference"].constrained = True
    up = f"CREATE TABLE {t.name} (\n" + ",\n".join(lines) + "\n);\n"
    # Indexes on the table this migration creates: no lock problem (empty table).
    if parent and rng.random() < 0.6:
        col = [c for c in t.cols.values() if c.name.endswith("_id") and c.name != "owner_id"][0]
        idx = uniq(f"{t.name}_{col.name}_idx")
        up += f"CREATE INDEX {idx} ON {t.name} ({col.name});\n"
        t.indexes[idx] = (f"({col.name})", False)
    if rng.random() < 0.3:
        up += f"COMMENT ON TABLE {t.name} IS 'One row per {t.noun}.';\n"
    tables[t.name] = t
    return f"create_{t.name}", up, f"DROP TABLE IF EXISTS {t.name};\n"


def k_create_index(i):
    t = pick(tables.values())
    cols = [c for c in t.cols.values() if c.name not in ("id",)]
    c = pick(cols)
    unique = c.name in ("reference", "email") and rng.random() < 0.5
    idx = uniq(f"{t.name}_{c.name}_{'key' if unique else 'idx'}")
    u = "UNIQUE " if unique else ""
    what = f"({c.name})"
    if c.name == "email" and not unique and rng.random() < 0.5:
        what = f"(lower({c.name}))"
    where = ""
    if not unique and rng.random() < 0.2:
        where = " WHERE status <> 'archived'" if "status" in t.cols else f" WHERE {c.name} IS NOT NULL"
    r = rng.random()
    slug = f"index_{t.name}_{c.name}"
    t.indexes[idx] = (what, unique)
    if r < 0.55:
        up = f"CREATE {u}INDEX {idx} ON {t.name} {what}{where};\n"
        return slug, up, f"DROP INDEX IF EXISTS {idx};\n"
    if r < 0.95:
        up = NO_TX + f"CREATE {u}INDEX CONCURRENTLY IF NOT EXISTS {idx} ON {t.name} {what}{where};\n"
        return slug, up, NO_TX + f"DROP INDEX CONCURRENTLY IF EXISTS {idx};\n"
    # The classic mistake: CONCURRENTLY in a migration that runs in a transaction.
    up = f"CREATE {u}INDEX CONCURRENTLY {idx} ON {t.name} {what}{where};\n"
    return slug, up, f"DROP INDEX IF EXISTS {idx};\n"


CONST_DEFAULTS = [
    ("is_archived", "boolean", "false", False), ("priority", "integer", "0", False),
    ("currency", "char(3)", "'EUR'", False), ("seen_at", "timestamptz", "now()", True),
    ("locale", "text", "'en'", False), ("retries", "smallint", "0", False),
    ("metadata", "jsonb", "'{}'::jsonb", False), ("score", "numeric(6,2)", "0.0", True),
]
VOLATILE_DEFAULTS = [
    ("public_id", "uuid", "gen_random_uuid()"), ("sort_key", "double precision", "random()"),
    ("bucket", "integer", "(random() * 100)::integer"), ("touched_at", "timestamptz", "clock_timestamp()"),
    ("token", "text", "md5(random()::text)"), ("external_uuid", "uuid", "uuid_generate_v4()"),
]
PLAIN_COLUMNS = [("notes", "text"), ("archived_at", "timestamptz"), ("phone", "varchar(32)"),
                 ("discount", "integer"), ("label", "varchar(100)"), ("legacy_code", "varchar(20)")]


def new_col_name(t, base):
    name, k = base, 2
    while name in t.cols:
        name = f"{base}_{k}"
        k += 1
    return name


def k_add_column(i):
    t = pick(tables.values())
    r = rng.random()
    added = []
    if r < 0.30:
        name, typ = pick(PLAIN_COLUMNS)
        added.append(Col(new_col_name(t, name), typ))
    elif r < 0.55:
        name, typ, val, nullable = pick(CONST_DEFAULTS)
        added.append(Col(new_col_name(t, name), typ, nullable=nullable, default=val))
    elif r < 0.80:
        if volatile_fns and rng.random() < 0.25:
            fn = pick(volatile_fns)
            added.append(Col(new_col_name(t, "code"), "text", default=f"{fn}()"))
        elif rng.random() < 0.1:
            added.append(Col(new_col_name(t, "seq_no"), "bigserial", nullable=False))
        else:
            name, typ, val = pick(VOLATILE_DEFAULTS)
            added.append(Col(new_col_name(t, name), typ, nullable=rng.random() < 0.6, default=val))
    elif r < 0.88:
        parent = pick(p for p in tables.values() if p is not t) or t
        c = Col(new_col_name(t, parent.noun + "_id"), "bigint", extra=f"REFERENCES {parent.name} (id)")
        c.constrained = True
        parent.fk_in.add(f"{t.name}.{c.name}")
        used_names.add(f"{t.name}_{c.name}_fkey")
        added.append(c)
    elif r < 0.93:
        c = Col(new_col_name(t, "slug"), "text", extra="UNIQUE")
        c.constrained = True
        used_names.add(f"{t.name}_{c.name}_key")
        added.append(c)
    else:
        # Two columns in one statement.
        name, typ = pick(PLAIN_COLUMNS)
        added.append(Col(new_col_name(t, name), typ))
        name, typ, val, nullable = pick(CONST_DEFAULTS)
        c = Col(new_col_name(t, name), typ, nullable=nullable, default=val)
        if c.name in (a.name for a in added):
            c.name += "_2"
        added.append(c)
    for c in added:
        t.add(c)
    up = f"ALTER TABLE {t.name}\n    " + ",\n    ".join(f"ADD COLUMN {c.ddl()}" for c in added) + ";\n"
    down = "".join(f"ALTER TABLE {t.name} DROP COLUMN IF EXISTS {c.name};\n" for c in added)
    return f"add_{added[0].name}_to_{t.name}", up, down


def k_set_not_null(i):
    cands = [(t, c) for t in tables.values() for c in t.cols.values() if c.nullable and not c.core
             and not c.typ.endswith("serial")]
    if not cands:
        return None
    # Prefer a column whose IS NOT NULL check an earlier migration validated (the safe pattern).
    safe = [(t, c) for t, c in cands if c.nn_check and t.constraints[c.nn_check]["valid"]]
    t, c = pick(safe) if safe and rng.random() < 0.6 else pick(cands)
    c.nullable = False
    fill = {"text": "''", "bigint": "0", "integer": "0", "timestamptz": "now()", "uuid": "gen_random_uuid()",
            "boolean": "false", "jsonb": "'{}'"}.get(c.typ.split("(")[0], None)
    up = ""
    if fill and c.default is None and rng.random() < 0.6:
        up += f"UPDATE {t.name} SET {c.name} = {fill} WHERE {c.name} IS NULL;\n"
    up += f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET NOT NULL;\n"
    down = f"ALTER TABLE {t.name} ALTER COLUMN {c.name} DROP NOT NULL;\n"
    cname = c.nn_check
    if cname:
        up += f"ALTER TABLE {t.name} DROP CONSTRAINT {cname};\n"
        down = f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} CHECK ({c.name} IS NOT NULL) NOT VALID;\n" + down
        del t.constraints[cname]
        c.nn_check = None
    return f"{c.name}_not_null_on_{t.name}", up, down


def k_add_fk(i):
    if len(tables) < 2:
        return None
    t = pick(tables.values())
    parent = pick(p for p in tables.values() if p is not t)
    up = ""
    down = ""
    plain = [c for c in t.cols.values() if c.name == "owner_id" and not c.constrained]
    if plain and rng.random() < 0.5:
        c = plain[0]
    else:
        c = t.add(Col(new_col_name(t, parent.noun + "_id"), "bigint"))
        up += f"ALTER TABLE {t.name} ADD COLUMN {c.name} bigint;\n"
    c.constrained = True
    cname = uniq(f"{t.name}_{c.name}_fkey")
    r = rng.random()
    not_valid = r < 0.5
    up += (f"ALTER TABLE {t.name}\n    ADD CONSTRAINT {cname} FOREIGN KEY ({c.name}) REFERENCES {parent.name} (id)"
           + (" ON DELETE SET NULL" if rng.random() < 0.3 else "") + (" NOT VALID" if not_valid else "") + ";\n")
    if not_valid and rng.random() < 0.15:
        # A common slip: validating in the same migration, i.e. the same transaction.
        up += f"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cname};\n"
        not_valid = False
    t.constraints[cname] = {"kind": "fk", "valid": not not_valid, "col": c.name}
    parent.fk_in.add(cname)
    down = f"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cname};\n"
    if up.startswith(f"ALTER TABLE {t.name} ADD COLUMN"):
        down += f"ALTER TABLE {t.name} DROP COLUMN IF EXISTS {c.name};\n"
    return f"fk_{t.name}_{c.name}", up, down


def k_add_check(i):
    t = pick(tables.values())
    nullable = [c for c in t.cols.values() if c.nullable and not c.core and not c.typ.endswith("serial")]
    if nullable and rng.random() < 0.3:
        c = pick(nullable)
        if c.nn_check:
            return None
        cname = c.nn_check = uniq(f"{t.name}_{c.name}_not_null")
        expr, not_valid = f"{c.name} IS NOT NULL", True
    else:
        num = [c for c in t.cols.values() if c.name in ("amount", "quantity")]
        if num and rng.random() < 0.6:
            c = num[0]
            expr = f"{c.name} >= 0"
        else:
            c = t.cols["name"] if "name" in t.cols else pick(t.cols.values())
            expr = f"char_length({c.name}) <= 200" if c.typ == "text" else f"{c.name} IS NOT NULL"
        cname = uniq(f"{t.name}_{c.name}_check")
        not_valid = rng.random() < 0.5
    t.constraints[cname] = {"kind": "check", "valid": not not_valid, "col": c.name}
    c.constrained = True
    up = f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} CHECK ({expr})" + (" NOT VALID" if not_valid else "") + ";\n"
    return f"check_{cname}", up, f"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cname};\n"


def k_validate(i):
    cands = [(t, n) for t in tables.values() for n, k in t.constraints.items() if not k["valid"]]
    if not cands:
        return None
    t, cname = pick(cands)
    t.constraints[cname]["valid"] = True
    up = f"-- The constraint was added NOT VALID earlier; this scan takes only a SHARE UPDATE EXCLUSIVE lock.\n" \
         f"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cname};\n"
    return f"validate_{cname}", up, "-- Nothing to undo: a validated constraint stays valid.\n"


def k_add_unique(i):
    t = pick(tables.values())
    # The safe form: a UNIQUE index built CONCURRENTLY earlier, attached here.
    uidx = [(n, w) for n, (w, u) in t.indexes.items() if u and w.startswith("(") and "(" not in w[1:]]
    if uidx and rng.random() < 0.4:
        idx, what = pick(uidx)
        col = what.strip("()")
        cname = uniq(f"{t.name}_{col}_uniq")
        del t.indexes[idx]
        t.constraints[cname] = {"kind": "unique", "valid": True, "col": col}
        up = f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} UNIQUE USING INDEX {idx};\n"
        down = (f"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cname};\n"
                f"CREATE UNIQUE INDEX IF NOT EXISTS {idx} ON {t.name} ({col});\n")
        return f"unique_{t.name}_{col}", up, down
    cands = [c for c in t.cols.values() if c.name in ("reference", "email", "name") or c.name.startswith(("slug", "legacy_code", "label"))]
    if not cands:
        return None
    c = pick(cands)
    cname = uniq(f"{t.name}_{c.name}_uniq")
    t.constraints[cname] = {"kind": "unique", "valid": True, "col": c.name}
    c.constrained = True
    up = f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} UNIQUE ({c.name});\n"
    return f"unique_{t.name}_{c.name}", up, f"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cname};\n"


def droppable_cols(t):
    return [c for c in t.cols.values() if not c.core and not c.in_view and not c.constrained
            and c.name not in ("name", "status", "amount", "quantity", "id")]


def drop_col_indexes(t, col):
    for idx in [n for n, (w, u) in t.indexes.items() if uses(w, col)]:
        del t.indexes[idx]


def k_drop_column(i):
    cands = [(t, c) for t in tables.values() for c in droppable_cols(t)]
    if not cands:
        return None
    t, c = pick(cands)
    del t.cols[c.name]
    drop_col_indexes(t, c.name)
    up = f"-- {c.name} has not been read since the previous release.\nALTER TABLE {t.name} DROP COLUMN {c.name};\n"
    down = f"-- The column comes back empty.\nALTER TABLE {t.name} ADD COLUMN {c.name} {c.typ.replace('bigserial', 'bigint')};\n"
    return f"drop_{c.name}_from_{t.name}", up, down


def k_drop_table(i):
    cands = [t for t in tables.values() if not t.fk_in and not t.views]
    if len(tables) < 8 or not cands:
        return None
    t = pick(cands)
    del tables[t.name]
    for other in tables.values():
        other.fk_in = {f for f in other.fk_in if not f.startswith(t.name + ".") and f not in t.constraints}
    cols = ",\n".join(f"    {c.ddl()}" for c in t.cols.values())
    up = f"DROP TABLE {t.name};\n"
    down = f"-- Re-creates the table (empty).\nCREATE TABLE {t.name} (\n{cols}\n);\n"
    return f"drop_{t.name}", up, down


def k_rename_column(i):
    cands = [(t, c) for t in tables.values() for c in t.cols.values() if not c.core and c.name not in ("id",)]
    t, c = pick(cands)
    old = c.name
    new = new_col_name(t, {"name": "display_name", "status": "state", "reference": "external_ref",
                           "notes": "remarks", "email": "email_address", "label": "title"}.get(old, old + "_old"))
    del t.cols[old]
    c.name = new
    t.cols[new] = c
    for n, (w, u) in list(t.indexes.items()):
        if uses(w, old):
            t.indexes[n] = (re.sub(r"\b%s\b" % re.escape(old), new, w), u)
    for k in t.constraints.values():
        if k["col"] == old:
            k["col"] = new
    up = f"ALTER TABLE {t.name} RENAME COLUMN {old} TO {new};\n"
    return f"rename_{t.name}_{old}", up, f"ALTER TABLE {t.name} RENAME COLUMN {new} TO {old};\n"


def k_rename_table(i):
    t = pick(tables.values())
    old, new = t.name, uniq(t.name + "_legacy")
    del tables[old]
    t.name = new
    tables[new] = t
    up = f"ALTER TABLE {old} RENAME TO {new};\n"
    return f"rename_{old}", up, f"ALTER TABLE {new} RENAME TO {old};\n"


TYPE_CHANGES = {"integer": "bigint", "varchar(64)": "text", "varchar(255)": "text", "varchar(32)": "text",
                "varchar(100)": "varchar(200)", "varchar(20)": "varchar(40)", "numeric(12,2)": "numeric(14,2)",
                "smallint": "integer"}


def k_alter_type(i):
    cands = [(t, c) for t in tables.values() for c in t.cols.values() if c.typ in TYPE_CHANGES and not c.in_view]
    if not cands:
        return None
    t, c = pick(cands)
    old, new = c.typ, TYPE_CHANGES[c.typ]
    c.typ = new
    using = f" USING {c.name}::{new}" if rng.random() < 0.3 else ""
    up = f"ALTER TABLE {t.name} ALTER COLUMN {c.name} TYPE {new}{using};\n"
    return f"widen_{t.name}_{c.name}", up, f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET DATA TYPE {old};\n"


def k_truncate(i):
    t = pick(tables.values())
    r = rng.random()
    if t.fk_in:
        up = f"TRUNCATE {t.name} CASCADE;\n"  # other tables reference it
    elif r < 0.6:
        up = f"TRUNCATE TABLE {t.name};\n"
    elif r < 0.8:
        up = f"TRUNCATE {t.name} RESTART IDENTITY;\n"
    else:
        up = f"TRUNCATE {t.name} CASCADE;\n"
    return f"truncate_{t.name}", "-- Test data from the import; none of it is real.\n" + up, \
        "-- TRUNCATE cannot be undone: the rows are gone.\n"


def k_delete(i):
    t = pick(tables.values())
    if rng.random() < 0.5:
        up = f"DELETE FROM {t.name};\n"
        return f"clear_{t.name}", up, "-- DELETE cannot be undone.\n"
    if "status" in t.cols:
        up = f"DELETE FROM {t.name} WHERE status = 'archived' AND created_at < now() - interval '2 years';\n"
    else:
        up = f"DELETE FROM {t.name} WHERE created_at < now() - interval '2 years';\n"
    return f"purge_{t.name}", up, "-- Purged rows are not restored.\n"


def k_backfill(i):
    t = pick(tables.values())
    c = pick(c for c in t.cols.values() if not c.core)
    val = {"text": "''", "boolean": "false", "integer": "0", "bigint": "0"}.get(c.typ)
    if val is None:
        return None
    up = f"UPDATE {t.name}\n   SET {c.name} = {val}\n WHERE {c.name} IS NULL;\n"
    return f"backfill_{t.name}_{c.name}", up, "-- A backfill has nothing to undo.\n"


def k_create_function(i):
    t = pick(tables.values())
    r = rng.random()
    if r < 0.4 and "updated_at" in t.cols and t.name + "_touch" not in t.triggers:
        fn = f"{t.name}_touch_updated_at"
        t.triggers.add(t.name + "_touch")
        up = (f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n"
              f"    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\n"
              f"CREATE TRIGGER {t.name}_touch BEFORE UPDATE ON {t.name}\n"
              f"    FOR EACH ROW EXECUTE FUNCTION {fn}();\n")
        down = f"DROP TRIGGER IF EXISTS {t.name}_touch ON {t.name};\nDROP FUNCTION IF EXISTS {fn}();\n"
        return f"touch_{t.name}", up, down
    if r < 0.65:
        fn = uniq("app_next_code")
        volatile_fns.append(fn)
        up = (f"-- Short human-readable codes; volatile (the default), it calls random().\n"
              f"CREATE FUNCTION {fn}() RETURNS text\nLANGUAGE sql AS $$\n"
              f"    SELECT upper(substr(md5(random()::text || clock_timestamp()::text), 1, 8))\n$$;\n")
        return f"{fn}_function", up, f"DROP FUNCTION IF EXISTS {fn}();\n"
    fn = uniq(f"purge_old_{t.name}")
    up = (f"CREATE OR REPLACE FUNCTION {fn}(keep interval) RETURNS bigint\nLANGUAGE plpgsql AS $body$\n"
          f"DECLARE\n    removed bigint;\nBEGIN\n"
          f"    -- Not TRUNCATE: that would take an ACCESS EXCLUSIVE lock; DROP TABLE is right out.\n"
          f"    DELETE FROM {t.name} WHERE created_at < now() - keep;\n"
          f"    GET DIAGNOSTICS removed = ROW_COUNT;\n    RETURN removed;\nEND;\n$body$;\n")
    return fn, up, f"DROP FUNCTION IF EXISTS {fn}(interval);\n"


def k_create_view(i):
    t = pick(tables.values())
    v = uniq(f"active_{t.name}")
    cols = [c for c in t.cols.values() if c.name in ("id", "name", "status", "created_at") or rng.random() < 0.2]
    for c in cols:
        c.in_view = True
    views[v] = (t, cols, t.cols.get("status"))
    t.views.add(v)
    return f"view_{v}", view_sql(v), f"DROP VIEW IF EXISTS {v};\n"


def view_sql(v):
    """The view's definition under the table's and columns' current names."""
    t, cols, status = views[v]
    where = f" WHERE {status.name} = 'active'" if status else ""
    return f"CREATE VIEW {v} AS\n    SELECT {', '.join(c.name for c in cols)}\n      FROM {t.name}{where};\n"


def k_drop_view(i):
    v = pick(views)
    if v is None:
        return None
    sql = view_sql(v)
    t = views.pop(v)[0]
    t.views.discard(v)
    return f"drop_{v}", f"DROP VIEW {v};\n", sql


def k_drop_index(i):
    cands = [(t, n) for t in tables.values() for n in t.indexes]
    if not cands:
        return None
    t, idx = pick(cands)
    what, unique = t.indexes.pop(idx)
    u = "UNIQUE " if unique else ""
    if rng.random() < 0.6:
        return f"drop_{idx}", f"DROP INDEX IF EXISTS {idx};\n", f"CREATE {u}INDEX IF NOT EXISTS {idx} ON {t.name} {what};\n"
    return (f"drop_{idx}", NO_TX + f"DROP INDEX CONCURRENTLY IF EXISTS {idx};\n",
            NO_TX + f"CREATE {u}INDEX CONCURRENTLY IF NOT EXISTS {idx} ON {t.name} {what};\n")


def k_comment(i):
    t = pick(tables.values())
    c = pick(t.cols.values())
    up = f"COMMENT ON COLUMN {t.name}.{c.name} IS 'Set by the application; see docs/data-model.md.';\n"
    return f"comment_{t.name}_{c.name}", up, f"COMMENT ON COLUMN {t.name}.{c.name} IS NULL;\n"


KINDS = [
    (k_create_table, 11), (k_create_index, 11), (k_add_column, 14), (k_set_not_null, 5), (k_add_fk, 6),
    (k_validate, 3), (k_add_check, 5), (k_add_unique, 4), (k_drop_column, 4), (k_drop_table, 2),
    (k_rename_column, 3), (k_rename_table, 1), (k_alter_type, 4), (k_truncate, 2), (k_delete, 3),
    (k_backfill, 2), (k_create_function, 4), (k_create_view, 4), (k_drop_view, 1), (k_drop_index, 3),
    (k_comment, 2),
]
funcs, weights = zip(*KINDS)

for i in range(1, n + 1):
    result = None
    if i == 1:
        # uuid_generate_v4() defaults need the extension.
        result = ("enable_uuid_ossp", 'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";\n', 'DROP EXTENSION IF EXISTS "uuid-ossp";\n')
    elif len(tables) < 6:
        result = k_create_table(i)
    tries = 0
    while result is None:
        kind = rng.choices(funcs, weights)[0]
        result = kind(i)
        tries += 1
        if result is None and tries > 20:
            result = k_create_table(i)
    slug, up, down = result
    slug = slug[:60]
    # Now and then a migration written for a tool without transactions: BEGIN … COMMIT.
    if not up.startswith(NO_TX) and rng.random() < 0.015:
        up = "BEGIN;\n" + up + "COMMIT;\n"
    head = header(i, slug.replace("_", " "))
    if up.startswith(NO_TX):
        up = NO_TX + head + up[len(NO_TX):]
    else:
        up = head + up
    base = os.path.join(out, f"{i:06d}_{slug}")
    with open(base + ".up.sql", "w") as f:
        f.write(up)
    with open(base + ".down.sql", "w") as f:
        f.write(down)
PY
ups=("$migrations"/*.up.sql)
((${#ups[@]} == N)) || die "expected $N up files, found ${#ups[@]}"
say "wrote $N pairs ($(du -sk "$migrations" | cut -f1) KiB)"

# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------
declare -A times=()  # label -> space-separated wall seconds
declare -A cpus=()   # label -> space-separated CPU seconds (user + sys)
labels=()            # row order

# timed LABEL OUT OKCODES CMD... — run CMD (stdout to OUT, stderr to a log),
# add its wall time and CPU time to LABEL. OKCODES: exit codes that mean "ran"
# (a linter exits non-zero when it finds something). python3 is only the
# stopwatch: perf_counter() around the child, getrusage() of the child for
# CPU; its own start-up is outside the interval.
timed() {
    local label=$1 out=$2 ok=$3 result rc wall cpu
    shift 3
    result=$(python3 -c '
import resource, subprocess, sys, time
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    rc = subprocess.call(sys.argv[3:], stdout=out, stderr=err)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(rc, "%.4f" % (t1 - t0), "%.4f" % cpu)
' "$out" "$work/last.err" "$@")
    read -r rc wall cpu <<<"$result"
    if [[ " $ok " != *" $rc "* ]]; then
        say "$label failed (exit $rc): $*"
        tail -n 30 "$work/last.err" >&2
        exit 1
    fi
    [[ -v "times[$label]" ]] || labels+=("$label")
    times[$label]+=" $wall"
    cpus[$label]+=" $cpu"
}

# The up files, relative to the folder (as both tools then report them), split
# by whether Sluice runs them in a transaction.
mapfile -t up_files < <(cd "$migrations" && ls -1 -- *.up.sql)
tx_files=() notx_files=()
for f in "${up_files[@]}"; do
    if head -n 1 "$migrations/$f" | grep -q '^-- sluice:no-transaction'; then notx_files+=("$f"); else tx_files+=("$f"); fi
done

# squawk as Sluice runs the files: --assume-in-transaction for the ones in a
# transaction, plain for `-- sluice:no-transaction` ones. Two JSON arrays, one
# per line (merged when the findings are read). A script, so that the
# stopwatch can run it; bash's start-up (a few ms) is in this row.
printf '%s\n' "${tx_files[@]}" >"$work/tx.list"
printf '%s\n' "${notx_files[@]}" >"$work/notx.list"
cat >"$work/squawk-tx-aware.sh" <<'SH'
#!/usr/bin/env bash
# squawk-tx-aware.sh SQUAWK TXLIST NOTXLIST (run in the migrations folder)
set -uo pipefail
squawk=$1 rc=0
mapfile -t tx <"$2"
mapfile -t notx <"$3"
if [[ -n ${tx[0]:-} ]]; then "$squawk" --assume-in-transaction --reporter json "${tx[@]}" || rc=$?; else echo '[]'; fi
((rc <= 1)) || exit "$rc"
echo
if [[ -n ${notx[0]:-} ]]; then "$squawk" --reporter json "${notx[@]}" || rc=$?; else echo '[]'; fi
((rc <= 1)) || exit "$rc"
exit 0
SH

cd "$migrations"
for ((run = 1; run <= RUNS; run++)); do
    say "run $run of $RUNS"
    # sluice lint exits 3 when an error-level finding remains.
    timed "sluice lint" "$work/sluice.json" "0 3" "$sluice" lint --dir "$migrations" --format json
    if [[ -z $squawk_skip ]]; then
        timed "squawk" "$work/squawk.json" "0 1" "$squawk" --reporter json "${up_files[@]}"
        timed "squawk (tx-aware, 2 calls)" "$work/squawk-tx.json" "0" \
            bash "$work/squawk-tx-aware.sh" "$squawk" "$work/tx.list" "$work/notx.list"
    fi
done
cd "$repo"

# ---------------------------------------------------------------------------
# Findings and the rule mapping
# ---------------------------------------------------------------------------
sluice_version=$("$sluice" version 2>/dev/null | head -n 1)
squawk_version=""
[[ -n $squawk_skip ]] || squawk_version="$("$squawk" --version 2>/dev/null | head -n 1) ($squawk)"

printf '\n%d migrations (seed %d; %d up files in a transaction, %d marked -- sluice:no-transaction), %d run(s) each, %s core(s)\n' \
    "$N" "$SEED" "${#tx_files[@]}" "${#notx_files[@]}" "$RUNS" "$(nproc)"
printf 'sluice: %s\n' "$sluice_version"
if [[ -n $squawk_skip ]]; then
    printf 'squawk: skipped (%s)\n' "$squawk_skip"
else
    printf 'squawk: %s\n' "$squawk_version"
fi

python3 - "$migrations" "$work/sluice.json" "$GAPS" \
    "$([[ -z $squawk_skip ]] && echo "$work/squawk.json" || echo -)" \
    "$([[ -z $squawk_skip ]] && echo "$work/squawk-tx.json" || echo -)" <<'PY'
import collections, json, os, re, sys

folder, sluice_path, gaps, squawk_path, squawk_tx_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

with open(sluice_path) as f:
    sl = json.load(f)["findings"]
sluice = [(os.path.basename(d["file"]), d["rule"], d.get("line", 0), d["severity"]) for d in sl]


def load_squawk(path):
    if path == "-":
        return None
    with open(path) as f:
        text = f.read()
    docs, dec, pos = [], json.JSONDecoder(), 0
    while True:  # one or more JSON arrays, one after the other
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        doc, pos = dec.raw_decode(text, pos)
        docs += doc
    # squawk's lines are 0-based; make them 1-based like Sluice's.
    return [(os.path.basename(d["file"]), d["rule_name"], d["line"] + 1, d["level"].lower()) for d in docs]


squawk, squawk_tx = load_squawk(squawk_path), load_squawk(squawk_tx_path)


def by_rule(findings):
    counts, files = collections.Counter(), collections.defaultdict(set)
    for f, r, _, _ in findings:
        counts[r] += 1
        files[r].add(f)
    return counts, files


def line_of(file, line):
    try:
        with open(os.path.join(folder, file)) as fh:
            text = fh.read().splitlines()
        s = text[line - 1].strip() if 0 < line <= len(text) else ""
    except OSError:
        s = ""
    return s if len(s) <= 90 else s[:87] + "..."


sc, sf = by_rule(sluice)
sev = {r: s for _, r, _, s in sluice}
up_count = collections.Counter(r for f, r, _, _ in sluice if f.endswith(".up.sql"))
print("\nsluice lint findings by rule (%d findings in %d files; %d in up files)" % (
    len(sluice), len({f for f, *_ in sluice}), sum(up_count.values())))
print("  %-36s %-8s %8s %7s %8s" % ("rule", "severity", "findings", "files", "in ups"))
for r, c in sorted(sc.items(), key=lambda kv: (-kv[1], kv[0])):
    print("  %-36s %-8s %8d %7d %8d" % (r, sev[r], c, len(sf[r]), up_count[r]))

if squawk is None:
    sys.exit(0)

qc, qf = by_rule(squawk)
tc, tf = by_rule(squawk_tx)
print("\nsquawk findings by rule: plain (`squawk FILES`) and tx-aware (--assume-in-transaction except for no-transaction files)")
print("  %-44s %8s %7s   %8s %7s" % ("rule", "plain", "files", "tx-aware", "files"))
for r in sorted(set(qc) | set(tc), key=lambda r: (-max(qc[r], tc[r]), r)):
    print("  %-44s %8d %7d   %8d %7d" % (r, qc[r], len(qf[r]), tc[r], len(tf[r])))
print("  %-44s %8d %7s   %8d" % ("total", sum(qc.values()), "", sum(tc.values())))

# squawk rule -> the Sluice rules that check the same hazard, and a note.
MAP = [
    ("require-concurrent-index-creation", ["create-index-non-concurrently"], ""),
    ("require-concurrent-index-deletion", ["drop-index"], ""),
    ("ban-concurrent-index-creation-in-transaction", ["concurrently-in-transaction"],
     "squawk 2.70 fires this only inside a written BEGIN, not under --assume-in-transaction"),
    ("transaction-nesting", ["transaction-control"], ""),
    ("adding-field-with-default", ["add-column-volatile-default"], ""),
    ("adding-not-nullable-field", ["set-not-null"], "squawk 2.x reports SET NOT NULL under this name"),
    ("setting-not-nullable-field", ["set-not-null"], ""),
    ("adding-foreign-key-constraint", ["add-foreign-key-without-not-valid"], ""),
    ("constraint-missing-not-valid", ["add-check-without-not-valid", "add-foreign-key-without-not-valid", "add-unique-without-index"],
     "squawk also reports UNIQUE/PRIMARY KEY and VALIDATE in the same transaction under this name"),
    ("disallowed-unique-constraint", ["add-unique-without-index"], ""),
    ("adding-serial-primary-key-field", ["add-unique-without-index"], "ADD PRIMARY KEY builds its index under the lock"),
    ("ban-drop-column", ["drop-column"], ""),
    ("ban-drop-table", ["drop-table"], ""),
    ("ban-drop-view", ["drop-view"], ""),
    ("renaming-column", ["rename-column"], ""),
    ("renaming-table", ["rename-table"], ""),
    ("changing-column-type", ["column-type-change"], ""),
    ("ban-truncate-cascade", ["truncate"], "squawk flags only TRUNCATE … CASCADE; Sluice flags every TRUNCATE"),
    ("prefer-repack", ["vacuum-full", "cluster"], ""),
    ("require-lock-timeout", ["missing-lock-timeout"], "expected to differ: Sluice sets database.lock_timeout (5s) itself, so it flags only when that is 0"),
    ("require-timeout-settings", ["missing-lock-timeout"], "as above"),
]
EXPECTED = {"require-lock-timeout", "require-timeout-settings"}

# squawk sees the up files only: compare Sluice's findings in them.
ups = [d for d in sluice if d[0].endswith(".up.sql")]
sc, sf = by_rule(ups)
sluice_by_file = collections.defaultdict(set)
for f, r, _, _ in ups:
    sluice_by_file[f].add(r)
sq_by_file_rule = collections.defaultdict(list)
for f, r, line, _ in squawk_tx:
    sq_by_file_rule[(f, r)].append(line)
sq_by_file = collections.defaultdict(set)
for f, r, _, _ in squawk_tx:
    sq_by_file[f].add(r)
sluice_lines = collections.defaultdict(list)
for f, r, line, _ in ups:
    sluice_lines[(f, r)].append(line)

print("\nsquawk (tx-aware) <-> sluice on the up files, by file: a squawk file counts as covered when")
print("Sluice flags the same file with one of the mapped rules (lines may differ)")
hdr = "  %-44s %-34s %7s %6s %7s %6s %9s %9s"
print(hdr % ("squawk rule", "sluice rule(s)", "squawk", "files", "sluice", "files", "sq-only", "sl-only"))
gap_rows = []
mapped_sluice = set()
for sq_rule, sl_rules, note in MAP:
    mapped_sluice.update(sl_rules)
    sq_files = tf.get(sq_rule, set())
    sl_files = set().union(*(sf.get(r, set()) for r in sl_rules))
    sl_count = sum(sc[r] for r in sl_rules)
    if not sq_files and not sl_count:
        continue
    if not sq_files and any(tf.get(q) for q, s, _ in MAP if q != sq_rule and set(s) & set(sl_rules)):
        continue  # a rule this squawk does not have (or did not fire), covered by another row
    only_sq = sorted(f for f in sq_files if not (sluice_by_file[f] & set(sl_rules)))
    # Sluice files not flagged by squawk under any squawk rule that maps to the same Sluice rules.
    siblings = {q for q, s, _ in MAP if set(s) & set(sl_rules)}
    only_sl = sorted(f for f in sl_files if not (sq_by_file[f] & siblings))
    print(hdr % (sq_rule, ",".join(sl_rules)[:34], tc[sq_rule], len(sq_files), sl_count, len(sl_files), len(only_sq), len(only_sl)))
    if note:
        print("      (%s)" % note)
    gap_rows.append((sq_rule, sl_rules, only_sq, only_sl))



def safe_not_null(file):
    """Whether every SET NOT NULL in the file follows a validated CHECK (col IS NOT NULL) on the
    same column (added and validated in this or an earlier up): PostgreSQL 12+ then skips the scan."""
    checks, validated = set(), set()
    for g in sorted(x for x in os.listdir(folder) if x.endswith(".up.sql") and x <= file):
        with open(os.path.join(folder, g)) as fh:
            text = fh.read()
        for t, c, col in re.findall(r"ALTER TABLE (?:ONLY )?(\S+)\s+ADD CONSTRAINT (\S+) CHECK \(\s*(\w+) IS NOT NULL\s*\)", text, re.I):
            checks.add((t, col, c))
        validated.update(re.findall(r"ALTER TABLE (?:ONLY )?(\S+)\s+VALIDATE CONSTRAINT (\w+)", text, re.I))
        if g == file:
            sets = re.findall(r"ALTER TABLE (?:ONLY )?(\S+)\s+ALTER COLUMN (\w+) SET NOT NULL", text, re.I)
            return bool(sets) and all(any((t, c) == (ct, ccol) and (ct, cn) in validated for ct, ccol, cn in checks)
                                      for t, c in sets)
    return False


print("\nfiles squawk flags for a mapped rule and Sluice does not (first %d per rule; file:line as squawk reports it)" % gaps)
any_gap = False
for sq_rule, sl_rules, only_sq, _ in gap_rows:
    if not only_sq or sq_rule in EXPECTED:
        continue
    any_gap = True
    explained = []
    if "set-not-null" in sl_rules:
        explained = [f for f in only_sq if safe_not_null(f)]
        only_sq = [f for f in only_sq if f not in explained]
    print("  %s -> %s: %d file(s)" % (sq_rule, " / ".join(sl_rules), len(only_sq) + len(explained)))
    if explained:
        print("    %d of them follow a validated CHECK (col IS NOT NULL) on the same column (Sluice right, squawk" % len(explained))
        print("    a false positive: PostgreSQL 12+ skips the scan), e.g. %s; the other %d do not:" % (explained[0], len(only_sq)))
    for f in only_sq[:gaps]:
        line = min(sq_by_file_rule[(f, sq_rule)])
        print("    %s:%d  %s" % (f, line, line_of(f, line)))
if not any_gap:
    print("  none")

print("\nfiles Sluice flags for a mapped rule and squawk (tx-aware) does not (first 3 per rule)")
any_extra = False
shown = set()
for sq_rule, sl_rules, _, only_sl in gap_rows:
    if not only_sl or sq_rule in EXPECTED or tuple(sl_rules) in shown:
        continue  # (the same Sluice rules may already be listed under an earlier squawk rule)
    shown.add(tuple(sl_rules))
    any_extra = True
    print("  %s (squawk: %s): %d file(s)" % (" / ".join(sl_rules), sq_rule, len(only_sl)))
    for f in only_sl[:3]:
        line = min(l for r in sl_rules for l in sluice_lines.get((f, r), []))
        print("    %s:%d  %s" % (f, line, line_of(f, line)))
if not any_extra:
    print("  none")

mapped_sq = {q for q, _, _ in MAP}
print("\nsquawk rules with no Sluice counterpart (tx-aware findings): " +
      (", ".join("%s %d" % (r, tc[r]) for r in sorted(tc, key=lambda r: -tc[r]) if r not in mapped_sq) or "none"))
print("Sluice rules with no squawk counterpart (up files): " +
      (", ".join("%s %d" % (r, sc[r]) for r in sorted(sc, key=lambda r: -sc[r]) if r not in mapped_sluice) or "none"))
PY

# ---------------------------------------------------------------------------
# Timing table
# ---------------------------------------------------------------------------

base_median=""
if [[ -v "times[squawk]" ]]; then
    read -r _ base_median _ < <(bench_stats "${times[squawk]}")
fi

printf '\nwall seconds of the whole command (min, median, max of %d), its median CPU seconds\n' "$RUNS"
printf '(user + sys, all threads), and the wall median over squawk'"'"'s\n'
printf '\n%-28s %9s %9s %9s %9s %9s\n' "tool" "median s" "min s" "max s" "cpu s" "x squawk"
printf '%-28s %9s %9s %9s %9s %9s\n' "----" "--------" "-----" "-----" "-----" "--------"
for label in "${labels[@]}"; do
    read -r lo med hi < <(bench_stats "${times[$label]}")
    read -r _ cpu _ < <(bench_stats "${cpus[$label]}")
    ratio="-"
    if [[ -n $base_median ]]; then
        ratio=$(awk -v m="$med" -v f="$base_median" 'BEGIN { if (f > 0) printf "%.2f", m / f; else print "-" }')
    fi
    printf '%-28s %9s %9s %9s %9s %9s\n' "$label" "$med" "$lo" "$hi" "$cpu" "$ratio"
done
if [[ -n $squawk_skip ]]; then
    printf '%-28s %s\n' "squawk" "skipped ($squawk_skip)"
fi
