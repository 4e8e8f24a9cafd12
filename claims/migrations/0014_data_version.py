"""The data version the read cache keys answers by (claims/caching.py): it grows with every committed write.

Every statement that writes to a table of these apps (or to the users and groups that give roles) adds 1 to
the writing session's own row of claims_dataversion (slot = pg_backend_pid(), as claims_tally does, so that
two ingestion workers never wait on one row). The version is the sum of the rows. It is transactional: a
write and its increment become visible together, so a reader that sees a version sees every write counted in
it; commits are seen in order, so two different sets of committed writes never sum to the same version.

The table has no Django model on purpose: a test database's flush (TRUNCATE of every model table) must not
set the version back, or an answer cached before the flush could be taken for one after it. Tables added later
need the trigger too: tests/claims/test_data_version.py fails for any table of these apps without it.
"""

from django.db import migrations

TABLE_SQL = """
CREATE TABLE claims_dataversion (slot integer PRIMARY KEY, n bigint NOT NULL);

CREATE FUNCTION claims_data_written() RETURNS trigger AS $$
BEGIN
    INSERT INTO claims_dataversion AS v (slot, n) VALUES (pg_backend_pid(), 1)
    ON CONFLICT (slot) DO UPDATE SET n = v.n + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Ended sessions' rows into slot 0 (the sum is unchanged); one fold at a time, never waiting on a writer.
CREATE FUNCTION claims_dataversion_fold() RETURNS void AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('claims_dataversion_fold')) THEN
        RETURN;
    END IF;
    WITH gone AS (
        DELETE FROM claims_dataversion v
        WHERE v.slot <> 0 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = v.slot)
        RETURNING v.n
    )
    INSERT INTO claims_dataversion AS v (slot, n) SELECT 0, sum(n) FROM gone HAVING count(*) > 0
    ON CONFLICT (slot) DO UPDATE SET n = v.n + EXCLUDED.n;
END;
$$ LANGUAGE plpgsql;
"""

# Every table of these apps and the ones roles are read from; not claims_tally (written only by triggers on
# tables already counted) and not the version's own table.
WATCHED_PREFIXES = ("claims_", "sources_")
WATCHED_TABLES = ("auth_user", "auth_group", "auth_user_groups")
NOT_WATCHED = ("claims_tally", "claims_dataversion")
TRIGGER = "zz_data_written"  # after the other triggers of a table (they fire in name order)


def watched_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() "
        "AND (c.relname LIKE 'claims\\_%%' OR c.relname LIKE 'sources\\_%%' OR c.relname = ANY(%s)) "
        "AND NOT c.relname = ANY(%s) ORDER BY 1",
        [list(WATCHED_TABLES), list(NOT_WATCHED)],
    )
    return [row[0] for row in cursor.fetchall()]


def add_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
        for table in watched_tables(cursor):
            cursor.execute(
                f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION claims_data_written()"
            )


def drop_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in watched_tables(cursor):
            cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
        cursor.execute(
            "DROP FUNCTION IF EXISTS claims_dataversion_fold(); DROP FUNCTION IF EXISTS claims_data_written(); "
            "DROP TABLE IF EXISTS claims_dataversion"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0013_dashboard_tallies"),
        ("sources", "0003_article_seen_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
