# syntax=docker/dockerfile:1
#
# Sluice container image: build with the Swift toolchain, run on slim Debian 12.
#
#   docker build -t sluice .
#   docker run --rm sluice version
#   docker run -d --name sluice --stop-timeout 1800 \
#     -v /srv/sluice/sluice.yaml:/etc/sluice/sluice.yaml:ro \
#     -v /srv/sluice/secrets:/etc/sluice/secrets:ro \
#     -e SLUICE_DATABASE_PASSWORD_FILE=/etc/sluice/secrets/db-password \
#     -e SLUICE_DAEMON_HTTP=0.0.0.0:9187 -p 127.0.0.1:9187:9187 \
#     -v sluice-state:/var/lib/sluice sluice
#
# See docs/deploy.md. This file cannot be built on the project's build machine
# (no Docker engine there); it is checked by reading and with hadolint.

# ---------------------------------------------------------------------------
# Build stage. The tag must name a Swift >= 6.2 toolchain (Package.swift says
# swift-tools-version 6.2) on Debian 12 "bookworm", so that the -dev packages
# below are the same Debian release as the runtime stage's libraries.
# 6.3 is the toolchain CI builds and tests with; swift:6.2-bookworm also works.
FROM swift:6.3-bookworm AS build

# C libraries Sluice links (SPEC: libpq, libpg_query, libgit2) and pkg-config,
# which SwiftPM uses to find libpq and libgit2.
# Versions are not pinned: bookworm's point releases only bring security fixes.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libgit2-dev \
        libpg-query-dev \
        libpq-dev \
        pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, in a layer of their own: it is rebuilt only when
# Package.swift or Package.resolved change, not on every source edit.
# (Package.resolved is not committed; when present it is honoured exactly.)
COPY Package.* ./
RUN if [ -f Package.resolved ]; then swift package resolve --force-resolved-versions; \
    else swift package resolve; fi

# SwiftPM checks that every target declared in Package.swift has its folder,
# test targets included, so Tests/ is copied too; `--product sluice` compiles
# none of it.
COPY Sources ./Sources
COPY Tests ./Tests

# scripts/build.sh builds as Sluice ships (its header says why): the Swift
# runtime and Foundation linked into the binary (--static-swift-stdlib), so the
# runtime image needs no Swift toolchain; an executable that exports no symbols.
# It does NOT make the C libraries static: the binary still needs libpq.so.5,
# libgit2.so.1.5 and libpg_query.so.1504.0 at run time (installed below). The
# binary is not stripped, so a crash backtrace names the functions.
COPY scripts/build.sh ./scripts/
RUN install -D -m 0755 "$(bash scripts/build.sh)" /out/sluice \
 && install -D -m 0755 /usr/libexec/swift/linux/swift-backtrace-static /out/swift-backtrace-static

# ---------------------------------------------------------------------------
# Runtime stage.
FROM debian:bookworm-slim

# PostgreSQL client major version for pg_dump/pg_restore (rehearsal.strategy:
# dump). pg_dump refuses to dump a server newer than itself, so this must be at
# least production's major version: 15 is Debian 12's own; 16, 17, … come from
# apt.postgresql.org, set up with the script and signing key that Debian's
# postgresql-common package ships (docker build --build-arg PG_MAJOR=17 .).
ARG PG_MAJOR=15

# - libpq5, libgit2-1.5: shared libraries the binary links (same Debian release
#   as the build stage's libpq-dev / libgit2-dev).
# - libpg-query1504.0: Debian splits libpg_query into libpg-query-dev (headers,
#   libpg_query.a and the libpg_query.so link) and this runtime package with
#   libpg_query.so.1504.0, the SONAME the binary records. Checked with
#   `dpkg -L` and `readelf -d` on Debian 12: the linker picks the .so, not the .a.
# - postgresql-client-$PG_MAJOR: pg_dump and psql for rehearsal on a clone
#   (rehearsal.strategy dump/schema; found in /usr/lib/postgresql/N/bin).
# - graphviz: `dot` draws the dashboard's schema diagrams (without it the page
#   lists the tables).
# - ca-certificates: TLS to the database (sslmode=verify-full), Git over https
#   and webhooks. openssh-client: ssh-keyscan to build known_hosts for ssh://
#   remotes (libgit2 speaks SSH itself through libssh2).
# - tzdata: Foundation's time zones for timestamps in reports.
# hadolint ignore=DL3008
RUN set -eu; \
    apt-get update; \
    if [ "$PG_MAJOR" != 15 ]; then \
        apt-get install -y --no-install-recommends ca-certificates postgresql-common; \
        /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y; \
        apt-get update; \
    fi; \
    apt-get install -y --no-install-recommends \
        ca-certificates \
        libgit2-1.5 \
        libpg-query1504.0 \
        libpq5 \
        openssh-client \
        graphviz \
        "postgresql-client-${PG_MAJOR}" \
        tzdata; \
    rm -rf /var/lib/apt/lists/*

# A dedicated unprivileged user with a fixed uid/gid, so Kubernetes'
# runAsNonRoot can check it and volumes can be owned by it. Its home is the
# state directory (libpq looks for ~/.pgpass, libgit2 for ~/.ssh there).
# /run/sluice holds the control socket (daemon.control_socket).
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /var/lib/sluice \
        --no-create-home --shell /usr/sbin/nologin sluice \
 && install -d -m 0750 -o sluice -g sluice /var/lib/sluice /run/sluice \
 && install -d -m 0755 /etc/sluice

COPY --from=build /out/sluice /out/swift-backtrace-static /usr/local/bin/

# Readable backtraces if the daemon ever crashes (static binaries need the
# static backtracer named explicitly).
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static

# Fail the build now, not in production, if a shared library is missing:
# `sluice version` loads them all and prints the linked versions.
RUN /usr/local/bin/sluice version

USER 10001:10001
WORKDIR /var/lib/sluice
# repository.state_dir: the bare mirror of the watched repository. Losing it
# costs one fresh clone, nothing else (all state is in the database).
VOLUME /var/lib/sluice

# daemon.http: /healthz /readyz /metrics and the dashboard. The daemon binds
# 127.0.0.1 unless told otherwise: set daemon.http (or SLUICE_DAEMON_HTTP) to
# 0.0.0.0:9187 to reach it from outside the container. It is not set here
# because a variable would override the mounted sluice.yaml.
EXPOSE 9187

# Configuration: /etc/sluice/sluice.yaml when mounted, SLUICE_<SECTION>_<KEY>
# variables, or both. `docker stop` must wait for a migration under way:
# run with --stop-timeout 1800 (Docker's default is 10 seconds).
ENTRYPOINT ["/usr/local/bin/sluice"]
CMD ["daemon", "run"]
