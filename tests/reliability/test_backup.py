"""`manage.py backup` then `manage.py restore` into a fresh private PostgreSQL: nothing lost."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import REPO
from tests.reliability.servers import free_port

STANCE_SUMMARY = """
    SELECT c.text, s.stance, count(*) FROM claims_statement s JOIN claims_claim c ON c.id = s.claim_id
    GROUP BY c.text, s.stance ORDER BY c.text, s.stance
"""
COUNTS = "SELECT (SELECT count(*) FROM claims_claim), (SELECT count(*) FROM claims_party), " \
         "(SELECT count(*) FROM claims_statement)"


@pytest.fixture
def fresh_server(tmp_path):
    env = dict(os.environ, EMBEDDED_VAR_DIR=str(tmp_path / "var"), EMBEDDED_PG_PORT=str(free_port()),
               EMBEDDED_REDIS_PORT=str(free_port()), APP_ENV="development")
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 -- our own manage.py
            [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )

    manage.url = f"postgresql://postgres@127.0.0.1:{env['EMBEDDED_PG_PORT']}/claims"
    yield manage
    manage("services", "stop")


def _read(url: str) -> tuple[tuple, list]:
    with psycopg.connect(url) as conn:
        return conn.execute(COUNTS).fetchone(), conn.execute(STANCE_SUMMARY).fetchall()


@pytest.mark.django_db(transaction=True)
def test_backup_restores_the_seed_corpus_into_a_fresh_server(seeded, tmp_path, fresh_server):
    archive = tmp_path / "claims.dump"
    call_command("backup", str(archive))
    with connection.cursor() as cursor:
        cursor.execute(COUNTS)
        counts = cursor.fetchone()
        cursor.execute(STANCE_SUMMARY)
        summary = cursor.fetchall()

    restored = fresh_server("restore", str(archive))
    assert restored.returncode == 0, restored.stderr

    assert counts == (11, 20, 39)
    assert _read(fresh_server.url) == (counts, summary)
    assert len(summary) > 5
    # A second restore refuses to mix into a database that has data, and changes nothing.
    again = fresh_server("restore", str(archive))
    assert again.returncode != 0 and "already has" in again.stderr
    assert _read(fresh_server.url)[0] == counts
    # --replace drops and restores in one transaction.
    replaced = fresh_server("restore", "--replace", str(archive))
    assert replaced.returncode == 0, replaced.stderr
    assert _read(fresh_server.url) == (counts, summary)


def test_a_damaged_archive_is_refused_and_changes_nothing(tmp_path, fresh_server):
    archive = tmp_path / "broken.dump"
    archive.write_bytes(b"PGDMP" + os.urandom(4000))

    result = fresh_server("restore", str(archive))

    assert result.returncode != 0
    assert "pg_restore failed, nothing was changed" in result.stderr
