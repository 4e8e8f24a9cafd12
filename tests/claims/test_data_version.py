"""The data version (migration claims 0014) that keys the read cache: every write moves it, reads do not."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from core.caching import data_version
from tests import factories

migration = importlib.import_module("claims.migrations.0014_data_version")
pytestmark = pytest.mark.django_db(transaction=True)


def _version() -> int:
    return int(data_version().rsplit("|", 1)[1])


def test_every_table_of_the_tracker_moves_the_version():
    """A table added later without the trigger would let the cache serve answers older than the database."""
    with connection.cursor() as cursor:
        tables = migration.watched_tables(cursor)
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal", [migration.TRIGGER]
        )
        triggered = {row[0] for row in cursor.fetchall()}

    assert {"claims_claim", "claims_statement", "sources_article", "auth_user_groups"} <= set(tables)
    assert sorted(set(tables) - triggered) == []


def test_writes_move_the_version_and_reads_do_not():
    before = _version()
    claim = factories.ClaimFactory()
    after_insert = _version()
    list(type(claim).objects.all())
    after_read = _version()
    type(claim).objects.filter(pk=claim.pk).update(text="Another wording")
    after_update = _version()

    assert before < after_insert == after_read < after_update


def test_a_write_from_another_session_moves_it_too(settings):
    import psycopg

    db = settings.DATABASES["default"]
    before = _version()
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                         dbname=db["NAME"], autocommit=True) as other:
        other.execute("INSERT INTO sources_outlet (name, domain, country, language, created_at) "
                      "VALUES ('Wire', 'wire.example', '', '', now())")

    assert _version() > before


def test_folding_ended_sessions_keeps_the_version_and_a_flush_cannot_reset_it():
    factories.ClaimFactory()
    before = _version()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO claims_dataversion (slot, n) VALUES (-1, 5)")  # a session long gone
        cursor.execute("SELECT claims_dataversion_fold()")
        cursor.execute("SELECT count(*) FROM claims_dataversion WHERE slot = -1")
        gone = cursor.fetchone()[0]

    assert (gone, _version()) == (0, before + 5)
    # Not a model table: Django's flush between tests (TRUNCATE of the model tables) leaves it alone.
    assert "claims_dataversion" not in connection.introspection.django_table_names()
