"""The database runs the text of claims/sql/*.sql: every function and trigger the tracker has is in a file, the
database holds exactly that text, and an edited file without a migration that applies it fails here."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from claims import sql

pytestmark = pytest.mark.django_db


def _files_functions() -> dict[str, sql.SqlFunction]:
    return {f.name: f for name in sql.SQL_FILES for f in sql.sql_functions(name)}


def _files_triggers() -> dict[tuple[str, str], sql.SqlTrigger]:
    return {(t.table, t.name): t for name in sql.SQL_FILES for t in sql.sql_triggers(name)}


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pinned_digests() -> dict[str, tuple[str, str]]:
    """file -> (digest, migration) of the newest claims migration that applies the file."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = loader.graph.forwards_plan(loader.graph.leaf_nodes("claims")[0])
    pinned = {}
    for app, name in plan:
        for operation in loader.graph.nodes[(app, name)].operations:
            digests = getattr(getattr(operation, "code", None), "sql_digests", None) if isinstance(
                operation, RunPython) else None
            for file, digest in (digests or {}).items():
                pinned[file] = (digest, f"{app}.{name}")
    return pinned


def test_every_file_is_applied_by_a_migration_with_its_current_text():
    pinned = _pinned_digests()
    stale = {
        name: f'migrations.RunPython(*sql_files_apply({{"{name}": "{sql.sql_digest(name)}"}})) in a new migration'
        for name in sql.SQL_FILES
        if pinned.get(name, ("", ""))[0] != sql.sql_digest(name)
    }

    assert stale == {}


def test_the_database_holds_the_files_function_bodies():
    functions = _files_functions()
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)", [list(functions)])
        in_database = dict(cursor.fetchall())

    assert in_database == {name: f.body for name, f in functions.items()}


def test_the_database_holds_the_files_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, replace(pg_get_triggerdef(t.oid), ' ON ' || n.nspname || '.', ' ON ') "
            "FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        )
        in_database = {(table, name): _words(definition) for table, name, definition in cursor.fetchall()}

    assert in_database == {key: _words(t.definition) for key, t in _files_triggers().items()}


def test_no_function_of_the_tracker_lives_outside_the_files():
    """Functions of extensions (pg_trgm, pgvector) are theirs; every other function in the schema is ours."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND NOT EXISTS ("
            "  SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
        )
        ours = {row[0] for row in cursor.fetchall()}

    assert ours == set(_files_functions())


def _day_function_body() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'claims_statement_day'")
        return cursor.fetchone()[0]


def test_a_migration_applies_a_file_only_at_the_text_it_names():
    altered = "\n    SELECT 'statements:day:altered';\n"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION claims_statement_day(p_at timestamptz, p_stance text) RETURNS text AS $$"
            + altered + "$$ LANGUAGE sql IMMUTABLE"
        )
    older, _ = sql.sql_files_apply({"tallies.sql": "0" * 64})  # a migration written for an earlier text
    current, _ = sql.sql_files_apply({"tallies.sql": sql.sql_digest("tallies.sql")})

    with connection.schema_editor(atomic=False) as editor:
        older(None, editor)
        after_older = _day_function_body()
        current(None, editor)

    assert (after_older, _day_function_body()) == (altered, _files_functions()["claims_statement_day"].body)
    with pytest.raises(ValueError, match=r"not in claims\.sql\.SQL_FILES: nothing\.sql"):
        sql.sql_files_apply({"nothing.sql": "0" * 64})
