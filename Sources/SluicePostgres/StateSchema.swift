/// Sluice's own tables (SPEC §2), as numbered upgrade steps. Step N brings the
/// layout from version N-1 to N; a newer Sluice appends steps, never edits old ones.
enum StateSchema {
    /// The layout version this build writes and reads.
    static var current: Int { steps.count }

    /// `%S` stands for the quoted schema name.
    static let steps: [[String]] = [
        // 1: the first layout.
        [
            "CREATE SCHEMA IF NOT EXISTS %S",
            "COMMENT ON SCHEMA %S IS 'Sluice migration state: applied revisions, holds, events. Written only by sluice.'",
            """
            CREATE TABLE IF NOT EXISTS %S.meta (
                key text PRIMARY KEY,
                value text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            "COMMENT ON TABLE %S.meta IS 'Facts about Sluice''s own tables; key schema_version is the layout version.'",
            "COMMENT ON COLUMN %S.meta.key IS 'Name of the fact, e.g. schema_version.'",
            "COMMENT ON COLUMN %S.meta.value IS 'Value of the fact, as text.'",
            "COMMENT ON COLUMN %S.meta.updated_at IS 'When the fact was last written.'",
            """
            CREATE TABLE %S.revisions (
                version text PRIMARY KEY,
                version_key numeric[] NOT NULL,
                title text NOT NULL,
                file text NOT NULL,
                layout text NOT NULL,
                checksum text NOT NULL,
                up_sql text NOT NULL,
                down_sql text,
                down_file text,
                directives text[] NOT NULL DEFAULT '{}',
                down_directives text[] NOT NULL DEFAULT '{}',
                commit_sha text,
                commit_author text,
                commit_subject text,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by_host text NOT NULL,
                applied_by_user text NOT NULL,
                applied_by_role text NOT NULL DEFAULT current_user,
                duration_ms bigint,
                state text NOT NULL CHECK (state IN ('applied', 'dirty')),
                baseline boolean NOT NULL DEFAULT false,
                statements_done integer NOT NULL DEFAULT 0,
                statement_hashes text[] NOT NULL DEFAULT '{}',
                schema_snapshot jsonb)
            """,
            "CREATE INDEX revisions_version_key ON %S.revisions (version_key)",
            "COMMENT ON TABLE %S.revisions IS 'One row per applied (or part-applied) migration version, with the down SQL to undo it.'",
            "COMMENT ON COLUMN %S.revisions.version IS 'Version as normalised digits (0007 -> 7, Flyway 1.10 -> 1.10).'",
            "COMMENT ON COLUMN %S.revisions.version_key IS 'Version parts as numbers, for ordering in SQL.'",
            "COMMENT ON COLUMN %S.revisions.title IS 'Title from the file name.'",
            "COMMENT ON COLUMN %S.revisions.file IS 'File that held the up SQL.'",
            "COMMENT ON COLUMN %S.revisions.layout IS 'Folder layout: paired, dbmate, goose or flyway.'",
            "COMMENT ON COLUMN %S.revisions.checksum IS 'SHA-256 (hex) of the up file''s bytes when applied; a different file later is drift.'",
            "COMMENT ON COLUMN %S.revisions.up_sql IS 'Up SQL exactly as applied.'",
            "COMMENT ON COLUMN %S.revisions.down_sql IS 'Down SQL as it was when the up was applied; NULL when irreversible or baselined. Rollback runs this, not the file.'",
            "COMMENT ON COLUMN %S.revisions.down_file IS 'File the down SQL came from.'",
            "COMMENT ON COLUMN %S.revisions.directives IS 'sluice: directives of the up section, e.g. no-transaction, lock-timeout 5s.'",
            "COMMENT ON COLUMN %S.revisions.down_directives IS 'sluice: directives of the down section.'",
            "COMMENT ON COLUMN %S.revisions.commit_sha IS 'Git commit that introduced the migration, when applied from Git.'",
            "COMMENT ON COLUMN %S.revisions.commit_author IS 'Author of that commit.'",
            "COMMENT ON COLUMN %S.revisions.commit_subject IS 'Subject line of that commit.'",
            "COMMENT ON COLUMN %S.revisions.applied_at IS 'When the migration finished (or started, while dirty).'",
            "COMMENT ON COLUMN %S.revisions.applied_by_host IS 'Host name of the machine that ran sluice.'",
            "COMMENT ON COLUMN %S.revisions.applied_by_user IS 'Operating-system user that ran sluice.'",
            "COMMENT ON COLUMN %S.revisions.applied_by_role IS 'Database role that applied it.'",
            "COMMENT ON COLUMN %S.revisions.duration_ms IS 'Time the up SQL took, in milliseconds.'",
            "COMMENT ON COLUMN %S.revisions.state IS 'applied, or dirty: a no-transaction migration that stopped part-way.'",
            "COMMENT ON COLUMN %S.revisions.baseline IS 'True when recorded by sluice baseline without running it.'",
            "COMMENT ON COLUMN %S.revisions.statements_done IS 'No-transaction migrations: statements finished so far.'",
            "COMMENT ON COLUMN %S.revisions.statement_hashes IS 'No-transaction migrations: SHA-256 of each statement, to resume only when the finished ones are unchanged.'",
            "COMMENT ON COLUMN %S.revisions.schema_snapshot IS 'Catalog snapshot (JSON) of the managed schema after the run that left this as the newest applied version.'",
            """
            CREATE TABLE %S.holds (
                version text PRIMARY KEY,
                checksum text,
                reason text,
                held_by text NOT NULL,
                held_at timestamptz NOT NULL DEFAULT now())
            """,
            "COMMENT ON TABLE %S.holds IS 'Versions that must not be applied again until released (set by sluice rollback).'",
            "COMMENT ON COLUMN %S.holds.version IS 'Held version (normalised).'",
            "COMMENT ON COLUMN %S.holds.checksum IS 'Checksum of the file when held; a changed file (a fix) lifts the hold.'",
            "COMMENT ON COLUMN %S.holds.reason IS 'Why it was held (rollback --reason).'",
            "COMMENT ON COLUMN %S.holds.held_by IS 'Who held it: OS user@host.'",
            "COMMENT ON COLUMN %S.holds.held_at IS 'When it was held.'",
            """
            CREATE TABLE %S.events (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT clock_timestamp(),
                kind text NOT NULL,
                outcome text NOT NULL,
                versions text[] NOT NULL DEFAULT '{}',
                commit_sha text,
                actor text NOT NULL,
                duration_ms bigint,
                message text NOT NULL DEFAULT '',
                error jsonb,
                details jsonb)
            """,
            "CREATE INDEX events_at ON %S.events (at)",
            "COMMENT ON TABLE %S.events IS 'Append-only journal of every cycle and command.'",
            "COMMENT ON COLUMN %S.events.id IS 'Order of recording.'",
            "COMMENT ON COLUMN %S.events.at IS 'When the event was recorded.'",
            "COMMENT ON COLUMN %S.events.kind IS 'plan, apply, revert, rollback, hold, release, resolve, baseline, drift, failure, ...'",
            "COMMENT ON COLUMN %S.events.outcome IS 'ok, refused, failed, noop.'",
            "COMMENT ON COLUMN %S.events.versions IS 'Versions concerned, in the order handled.'",
            "COMMENT ON COLUMN %S.events.commit_sha IS 'Git commit the run worked from, if any.'",
            "COMMENT ON COLUMN %S.events.actor IS 'Who ran it: OS user@host and the command.'",
            "COMMENT ON COLUMN %S.events.duration_ms IS 'How long it took, in milliseconds.'",
            "COMMENT ON COLUMN %S.events.message IS 'One line for people.'",
            "COMMENT ON COLUMN %S.events.error IS 'The error: message, sqlstate, file, line, version, hint.'",
            "COMMENT ON COLUMN %S.events.details IS 'Further structured data (per-migration durations, refusal reasons).'",
            """
            CREATE TABLE %S.reconciled (
                id boolean PRIMARY KEY DEFAULT true CHECK (id),
                commit_sha text NOT NULL,
                branch text,
                reconciled_at timestamptz NOT NULL DEFAULT now())
            """,
            "COMMENT ON TABLE %S.reconciled IS 'The Git commit last reconciled, one row, so every replica agrees on it.'",
            "COMMENT ON COLUMN %S.reconciled.id IS 'Always true: keeps the table to one row.'",
            "COMMENT ON COLUMN %S.reconciled.commit_sha IS 'Commit whose migrations folder the database matches.'",
            "COMMENT ON COLUMN %S.reconciled.branch IS 'Branch that commit was read from.'",
            "COMMENT ON COLUMN %S.reconciled.reconciled_at IS 'When it was reconciled.'",
            """
            CREATE TABLE %S.repeatables (
                title text PRIMARY KEY,
                file text NOT NULL,
                checksum text NOT NULL,
                sql text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL,
                duration_ms bigint)
            """,
            "COMMENT ON TABLE %S.repeatables IS 'Flyway repeatable migrations (R__*.sql) last applied, re-run when their checksum changes.'",
            "COMMENT ON COLUMN %S.repeatables.title IS 'Title from R__{title}.sql.'",
            "COMMENT ON COLUMN %S.repeatables.file IS 'File name.'",
            "COMMENT ON COLUMN %S.repeatables.checksum IS 'SHA-256 of the file when last applied.'",
            "COMMENT ON COLUMN %S.repeatables.sql IS 'SQL as last applied.'",
            "COMMENT ON COLUMN %S.repeatables.applied_at IS 'When it was last applied.'",
            "COMMENT ON COLUMN %S.repeatables.applied_by IS 'Who applied it: OS user@host.'",
            "COMMENT ON COLUMN %S.repeatables.duration_ms IS 'Time it took, in milliseconds.'",
        ],
    ]
}
