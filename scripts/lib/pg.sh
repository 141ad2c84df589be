# shellcheck shell=bash
# Helpers for scripts that need the system packages and a throwaway PostgreSQL
# server. Source this file; it defines functions only and changes no state.
#
#   sluice_install_deps       install the Debian packages Sluice builds and tests with
#   sluice_pg_start DIR       start a private cluster under DIR and export its coordinates
#   sluice_pg_stop DIR        stop that cluster and delete DIR (safe to call twice)
#
# After sluice_pg_start these are exported:
#   SLUICE_TEST_DATABASE_URL  postgresql://postgres@127.0.0.1:PORT/postgres (no password)
#   PGPASSFILE                DIR/pgpass (mode 0600) holding the superuser's password
#   PGHOST=127.0.0.1 PGPORT=PORT PGUSER=postgres
#   SLUICE_PG_BINDIR          the server's bin directory (also put first on PATH, so
#                             pg_dump/pg_restore match the server's major version)
#
# The superuser password is random, lives only in a shell variable of
# sluice_pg_start and in DIR/pgpass, and is never printed or passed as a
# command-line argument (only shell builtins ever see it).

# Debian packages needed to build Sluice and run its tests.
SLUICE_DEB_PACKAGES=(postgresql postgresql-client libpq-dev libpg-query-dev libgit2-dev pkg-config git curl openssh-server openssh-client graphviz)

# _sluice_log MESSAGE... — progress line on stderr, so stdout stays clean.
_sluice_log() {
    printf '==> %s\n' "$*" >&2
}

# _sluice_pkg_installed NAME — true if the package is installed. The
# `postgresql-client` metapackage counts as present when any versioned
# postgresql-client-NN is (Debian images often carry only the latter).
_sluice_pkg_installed() {
    local pkg=$1 status
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] && return 0
    if [[ $pkg == postgresql-client ]]; then
        dpkg-query -W -f='${db:Status-Status}\n' 'postgresql-client-[0-9]*' 2>/dev/null \
            | grep -qx installed && return 0
    fi
    return 1
}

# _sluice_root CMD... — run CMD as root: directly when we are root, else
# through sudo (non-interactive under CI=true, so it fails instead of prompting).
_sluice_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif [[ ${CI:-} == true ]]; then
        sudo -n "$@"
    else
        sudo "$@"
    fi
}

# sluice_install_deps [EXTRA...] — installs SLUICE_DEB_PACKAGES plus EXTRA when missing
# (the tests add chromium for the dashboard's browser check).
sluice_install_deps() {
    local missing=() pkg
    for pkg in "${SLUICE_DEB_PACKAGES[@]}" "$@"; do
        _sluice_pkg_installed "$pkg" || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        _sluice_log "system packages present: ${SLUICE_DEB_PACKAGES[*]} $*"
        return 0
    fi
    _sluice_log "installing missing packages: ${missing[*]}"
    # Never prompt: noninteractive frontend, -y, keep existing config files,
    # and wait for a concurrent apt/dpkg instead of failing on its lock.
    local apt_opts=(-y -q -o DPkg::Lock::Timeout=300
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    _sluice_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
    _sluice_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
        install --no-install-recommends "${missing[@]}"
}

# _sluice_pg_bindir — the newest /usr/lib/postgresql/NN/bin that has initdb.
_sluice_pg_bindir() {
    local dir best="" best_ver=-1 ver
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] || continue
        ver=${dir#/usr/lib/postgresql/}
        ver=${ver%/bin}
        [[ $ver =~ ^[0-9]+$ ]] || continue
        if ((ver > best_ver)); then
            best_ver=$ver
            best=$dir
        fi
    done
    [[ -n $best ]] || { _sluice_log "no PostgreSQL server found under /usr/lib/postgresql (run sluice_install_deps)"; return 1; }
    printf '%s\n' "$best"
}

# _sluice_port_free PORT — true if nothing listens on 127.0.0.1:PORT (or any address).
_sluice_port_free() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [[ -z $(ss -Hltn "sport = :$port" 2>/dev/null) ]]
    else
        python3 - "$port" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
    fi
}

# _sluice_pick_port — print a free TCP port, trying upwards from a random start.
_sluice_pick_port() {
    local start port i
    start=$((20000 + RANDOM % 30000))
    for ((i = 0; i < 500; i++)); do
        port=$((start + i))
        if _sluice_port_free "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    _sluice_log "no free TCP port found in $start..$((start + 499))"
    return 1
}

# _sluice_as_pg DIR CMD... — run a server-side command as the cluster's owner.
# initdb and postgres refuse to run as root, so root runs them as the
# `postgres` OS user; anyone else runs them as themselves. The cwd is DIR, so
# the postgres user never trips over an unreadable cwd such as /root.
_sluice_as_pg() {
    local dir=$1
    shift
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

sluice_pg_start() {
    local dir=${1:?usage: sluice_pg_start DIR}
    # Keep the password out of any trace the caller switched on with set -x.
    local xtrace_was_on=0
    [[ $- == *x* ]] && xtrace_was_on=1
    set +x
    # Called plainly (not in an `||` list) so a caller's `set -e` still applies
    # inside; on failure under set -e the script exits here, trace state moot.
    local rc=0
    _sluice_pg_start_inner "$dir"
    rc=$?
    if ((xtrace_was_on)); then set -x; fi
    return "$rc"
}

_sluice_pg_start_inner() {
    local dir=$1 bindir owner password port attempt

    bindir=$(_sluice_pg_bindir) || return 1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P) # absolute: it goes into the server's config
    local data=$dir/data run=$dir/run log=$dir/postgres.log

    # Who owns the server files: `postgres` when we are root, else ourselves.
    if [[ $(id -u) -eq 0 ]]; then
        owner=postgres
        if ! id -u postgres >/dev/null 2>&1; then
            _sluice_log "creating the postgres OS user"
            useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        fi
    else
        owner=$(id -un)
    fi

    # Random superuser password (alphanumeric, 40 chars). Only builtins touch it.
    password=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40 || true)
    [[ ${#password} -eq 40 ]] || { _sluice_log "could not generate a password"; return 1; }

    chmod 0700 "$dir"
    mkdir -p "$run"
    if [[ $owner != "$(id -un)" ]]; then
        chown "$owner:" "$dir" "$run"
    fi

    # The postgres OS user must be able to reach DIR (e.g. not under /root or
    # inside another 0700 directory).
    if [[ $owner == postgres && $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$dir"; then
        _sluice_log "the postgres OS user cannot reach $dir; use a directory such as \$(mktemp -d /tmp/sluice-pg.XXXXXX)"
        return 1
    fi

    # initdb reads the password from a 0600 file that only the owner can read;
    # the file is removed as soon as initdb is done with it.
    local pwfile=$dir/initdb.pw
    (umask 077 && printf '%s\n' "$password" >"$pwfile")
    if [[ $owner != "$(id -un)" ]]; then chown "$owner:" "$pwfile"; fi

    _sluice_log "initdb ($bindir) in $data"
    if ! _sluice_as_pg "$dir" "$bindir/initdb" -D "$data" -U postgres --pwfile="$pwfile" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1; then
        rm -f "$pwfile"
        _sluice_log "initdb failed:"
        cat "$dir/initdb.log" >&2
        return 1
    fi
    rm -f "$pwfile"

    # Settings for a private test server; the port lives in its own include
    # file so a retry can change it.
    cat >>"$data/postgresql.conf" <<EOF

# --- added by scripts/lib/pg.sh: throwaway test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$run'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
include 'sluice_port.conf'
EOF

    # Pick a port and start; if someone grabs the port between the check and
    # the start, try another one.
    for attempt in 1 2 3 4 5; do
        port=$(_sluice_pick_port) || return 1
        printf "port = %s\n" "$port" >"$data/sluice_port.conf"
        if [[ $owner != "$(id -un)" ]]; then chown "$owner:" "$data/sluice_port.conf"; fi
        _sluice_log "starting PostgreSQL on 127.0.0.1:$port (attempt $attempt)"
        if _sluice_as_pg "$dir" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null; then
            break
        fi
        if grep -q 'could not bind\|Address already in use' "$log" 2>/dev/null && ((attempt < 5)); then
            _sluice_log "port $port was taken, retrying"
            continue
        fi
        _sluice_log "PostgreSQL failed to start; last lines of $log:"
        tail -n 30 "$log" >&2 || true
        return 1
    done

    # The pgpass file belongs to the invoking user (libpq refuses group- or
    # world-readable ones), so clients run by the caller can read it.
    (umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$port" "$password" >"$dir/pgpass")
    chmod 0600 "$dir/pgpass"
    unset password

    export PGPASSFILE=$dir/pgpass
    export PGHOST=127.0.0.1
    export PGPORT=$port
    export PGUSER=postgres
    export SLUICE_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
    export SLUICE_PG_BINDIR=$bindir
    case ":$PATH:" in
        *":$bindir:"*) ;;
        *) export PATH="$bindir:$PATH" ;;
    esac

    # pg_ctl -w already waited; also wait until the TCP listener answers.
    local i
    for ((i = 0; i < 60; i++)); do
        if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
            _sluice_log "PostgreSQL ready: $SLUICE_TEST_DATABASE_URL (password in $PGPASSFILE)"
            return 0
        fi
        sleep 0.5
    done
    _sluice_log "PostgreSQL did not become ready; last lines of $log:"
    tail -n 30 "$log" >&2 || true
    return 1
}

sluice_pg_stop() {
    local dir=${1:?usage: sluice_pg_stop DIR}
    [[ -e $dir ]] || return 0
    if [[ -f $dir/data/postmaster.pid ]]; then
        local bindir
        if bindir=$(_sluice_pg_bindir 2>/dev/null); then
            _sluice_as_pg "$dir" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop \
                >/dev/null 2>&1 || true
        fi
    fi
    rm -rf -- "$dir"
}
