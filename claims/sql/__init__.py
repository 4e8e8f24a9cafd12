"""The database's own code: every function and trigger of the tracker, one file per concern, as it is now.

Each `claims/sql/<concern>.sql` holds the current definitions (`CREATE OR REPLACE`), so a reader finds a
trigger's text here, not in whichever migration last touched it; the older migrations are history. A file is
applied by a migration that names it with the SHA-256 of the text it applies (`sql_files_apply`): a fresh
database runs each file once, at the newest migration naming its current text, and an edit to a file needs a
new migration, or tests/claims/test_sql_files.py fails and prints the line to add.

    migrations.RunPython(*sql_files_apply({"tallies.sql": "<sha256>"}))
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent

# In the order they are applied: the triggers of later files may use the functions of earlier ones.
SQL_FILES = ("statement_span.sql", "claim_counters.sql", "claim_stances.sql", "tallies.sql", "revision_bands.sql")


def sql_text(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def sql_digest(name: str) -> str:
    return hashlib.sha256(sql_text(name).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SqlFunction:
    name: str
    arguments: str  # as written: "p_at timestamptz, p_stance text"
    body: str  # the text between the $$ quotes, which PostgreSQL keeps as pg_proc.prosrc


@dataclass(frozen=True)
class SqlTrigger:
    name: str
    table: str
    definition: str  # the CREATE TRIGGER statement without OR REPLACE and the final semicolon


_FUNCTION_RE = re.compile(
    r"CREATE OR REPLACE FUNCTION (?P<name>\w+)\((?P<arguments>[^)]*)\)[^$]*?AS \$\$(?P<body>.*?)\$\$", re.DOTALL
)
_TRIGGER_RE = re.compile(r"CREATE OR REPLACE (?P<definition>TRIGGER (?P<name>\w+)\s.*?\sON (?P<table>\w+)\s.*?);",
                         re.DOTALL)


def sql_functions(name: str) -> list[SqlFunction]:
    return [SqlFunction(m["name"], m["arguments"], m["body"]) for m in _FUNCTION_RE.finditer(sql_text(name))]


def sql_triggers(name: str) -> list[SqlTrigger]:
    """The triggers a file defines, e.g. for a bulk load that turns some off by name and recounts afterwards."""
    return [
        SqlTrigger(m["name"], m["table"], "CREATE " + m["definition"])
        for m in _TRIGGER_RE.finditer(sql_text(name))
    ]


def sql_files_apply(digests: dict[str, str]):
    """(forward, backward) for migrations.RunPython: run each named file whose text has that SHA-256 now.

    A file whose text has changed since is skipped: a later migration names its new text and applies it, so a
    fresh database never runs a definition ahead of the tables it was written for. Backward does nothing: the
    definitions a file replaced are in the older migrations' history, not in the files.
    """
    unknown = sorted(set(digests) - set(SQL_FILES))
    if unknown:
        raise ValueError(f"not in claims.sql.SQL_FILES: {', '.join(unknown)}")

    def forward(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for name in SQL_FILES:
                if name in digests and sql_digest(name) == digests[name]:
                    cursor.execute(sql_text(name))  # no parameters: the text's own % signs stay as they are

    def backward(apps, schema_editor):
        pass

    forward.sql_digests = dict(digests)  # read by tests/claims/test_sql_files.py
    return forward, backward
