import SluiceCore
import Testing

/// The pure diff between two schema snapshots.
@Suite struct SchemaDiffTests {
    static let users = SchemaSnapshot.Table(
        columns: [.init(name: "id", type: "bigint", nullable: false, defaultValue: nil), .init(name: "email", type: "text", nullable: true, defaultValue: nil)],
        indexes: ["users_pkey": "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)"],
        constraints: ["users_pkey": "PRIMARY KEY (id)"])

    @Test func equalSnapshotsHaveNoChangesAndOneFingerprint() {
        let a = SchemaSnapshot(tables: ["public.users": Self.users])
        #expect(SchemaDiff(from: a, to: a).isEmpty)
        #expect(a.fingerprint == SchemaSnapshot(tables: ["public.users": Self.users]).fingerprint)
    }

    @Test func tablesColumnsIndexesAndConstraintsAreCompared() {
        var changed = Self.users
        changed.columns[1] = .init(name: "email", type: "character varying(255)", nullable: false, defaultValue: "''::text")
        changed.columns.append(.init(name: "name", type: "text", nullable: true, defaultValue: nil))
        changed.indexes["users_email_idx"] = "CREATE INDEX users_email_idx ON public.users USING btree (email)"
        changed.constraints.removeValue(forKey: "users_pkey")
        let old = SchemaSnapshot(tables: ["public.users": Self.users, "public.gone": .init()])
        let new = SchemaSnapshot(tables: ["public.users": changed, "public.fresh": .init()])
        #expect(SchemaDiff(from: old, to: new).changes.map(\.description) == [
            "added table public.fresh",
            "dropped table public.gone",
            "altered column public.users.email: type text → character varying(255), set not null, default none → ''::text",
            "added column public.users.name: text",
            "added index public.users.users_email_idx",
            "dropped constraint public.users.users_pkey",
        ])
        #expect(old.fingerprint != new.fingerprint)
    }

    @Test func viewsFunctionsSequencesEnumsAndExtensions() {
        let old = SchemaSnapshot(views: ["public.v": "SELECT 1"], functions: ["public.f()": "A"], sequences: ["public.s": "bigint increment 1 start 1"],
                                 enums: ["public.e": ["a"]], extensions: ["pgcrypto": "1.3"])
        let new = SchemaSnapshot(views: ["public.v": "SELECT 2"], functions: [:], sequences: ["public.s": "bigint increment 2 start 1"],
                                 enums: ["public.e": ["a", "b"]], extensions: ["pgcrypto": "1.3", "citext": "1.6"])
        #expect(SchemaDiff(from: old, to: new).changes.map(\.description) == [
            "altered view public.v: definition changed",
            "dropped function public.f()",
            "altered sequence public.s: definition changed",
            "altered enum public.e: a → a, b",
            "added extension citext",
        ])
    }
}
