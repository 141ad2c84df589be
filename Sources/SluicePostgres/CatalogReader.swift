import SluiceCore

/// Reads a ``SchemaSnapshot`` of the managed schema from `pg_catalog`: every schema but
/// PostgreSQL's own and Sluice's, and nothing an extension owns (its functions and tables
/// come and go with the extension, which is listed itself).
public enum CatalogReader {
    public static func snapshot(_ connection: Connection, excluding stateSchema: String) async throws -> SchemaSnapshot {
        let scope = """
            n.nspname NOT IN ('pg_catalog', 'information_schema', $1) AND n.nspname NOT LIKE 'pg\\_%'
            """
        let notFromExtension = { (oid: String, catalog: String) in
            "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = \(oid) AND d.classid = '\(catalog)'::regclass AND d.deptype = 'e')"
        }
        var snapshot = SchemaSnapshot()
        let p = [stateSchema] as [String?]

        for row in try await connection.query("""
            SELECT n.nspname || '.' || c.relname AS t, a.attname, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
                   pg_get_expr(ad.adbin, ad.adrelid) AS def
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
            WHERE c.relkind IN ('r', 'p') AND \(scope) AND \(notFromExtension("c.oid", "pg_class"))
            ORDER BY 1, a.attnum
            """, p).records {
            snapshot.tables[row.string("t"), default: .init()].columns.append(
                .init(name: row.string("attname"), type: row.string("type"), nullable: row.bool("nullable"), defaultValue: row["def"]))
        }
        for row in try await connection.query("""
            SELECT n.nspname || '.' || t.relname AS t, i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE t.relkind IN ('r', 'p') AND \(scope) AND \(notFromExtension("t.oid", "pg_class"))
            """, p).records {
            snapshot.tables[row.string("t"), default: .init()].indexes[row.string("name")] = row.string("def")
        }
        for row in try await connection.query("""
            SELECT n.nspname || '.' || t.relname AS t, con.conname, pg_get_constraintdef(con.oid) AS def,
                   rn.nspname || '.' || r.relname AS target
            FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            LEFT JOIN pg_class r ON r.oid = con.confrelid AND con.contype = 'f' LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
            WHERE \(scope) AND \(notFromExtension("t.oid", "pg_class"))
            """, p).records {
            let table = row.string("t"), name = row.string("conname")
            snapshot.tables[table, default: .init()].constraints[name] = row.string("def")
            // The referenced table from the catalog, named like the keys of `tables`.
            if let target = row["target"] { snapshot.tables[table, default: .init()].foreignKeys[name] = target }
        }
        for row in try await connection.query("""
            SELECT n.nspname || '.' || c.relname AS v, c.relkind, pg_get_viewdef(c.oid) AS def
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND \(scope) AND \(notFromExtension("c.oid", "pg_class"))
            """, p).records {
            snapshot.views[row.string("v")] = (row.string("relkind") == "m" ? "materialized: " : "") + row.string("def")
        }
        for row in try await connection.query("""
            SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS f, pg_get_functiondef(p.oid) AS def
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prokind IN ('f', 'p') AND \(scope) AND \(notFromExtension("p.oid", "pg_proc"))
            """, p).records {
            snapshot.functions[row.string("f")] = row.string("def")
        }
        for row in try await connection.query("""
            SELECT n.nspname || '.' || c.relname AS s, format_type(s.seqtypid, NULL) || ' increment ' || s.seqincrement || ' start ' || s.seqstart AS def
            FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE \(scope) AND \(notFromExtension("c.oid", "pg_class"))
            """, p).records {
            snapshot.sequences[row.string("s")] = row.string("def")
        }
        for row in try await connection.query("""
            SELECT n.nspname || '.' || t.typname AS e, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text AS labels
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE \(scope) AND \(notFromExtension("t.oid", "pg_type"))
            GROUP BY 1
            """, p).records {
            snapshot.enums[row.string("e")] = row.array("labels")
        }
        for row in try await connection.query("SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'").records {
            snapshot.extensions[row.string("extname")] = row.string("extversion")
        }
        return snapshot
    }
}
