"""The embedded PostgreSQL and Redis: start twice, stop, stale pid files, a port already taken.

Each test runs the real servers in a private var/ folder on free ports, in a child process, so the
servers the rest of the suite uses are never touched.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def services(tmp_path):
    env = dict(os.environ, EMBEDDED_VAR_DIR=str(tmp_path / "var"), EMBEDDED_PG_PORT=str(_free_port()),
               EMBEDDED_REDIS_PORT=str(_free_port()), APP_ENV="development")
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)

    def run(action: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 -- our own manage.py
            [sys.executable, "manage.py", "services", action], cwd=REPO, env=env, capture_output=True, text=True,
            timeout=180,
        )

    run.env = env
    run.var = tmp_path / "var"
    yield run
    run("stop")


def test_start_twice_gives_the_same_servers_and_stop_twice_is_harmless(services):
    first = services("start")
    redis_pid = (services.var / "redis" / "redis.pid").read_text()
    second = services("start")

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout == second.stdout
    assert f"postgresql://postgres@127.0.0.1:{services.env['EMBEDDED_PG_PORT']}/claims" in first.stdout
    assert (services.var / "redis" / "redis.pid").read_text() == redis_pid
    assert "running on" in services("status").stdout

    stopped, again = services("stop"), services("stop")
    assert stopped.stdout.splitlines() == ["postgres: stopped", "redis: stopped"]
    assert again.stdout.splitlines() == ["postgres: was not running", "redis: was not running"]


def test_stale_pid_files_from_a_crash_do_not_block_a_start(services):
    assert services("start").returncode == 0
    assert services("stop").returncode == 0
    dead_pid = "999999"
    (services.var / "redis" / "redis.pid").write_text(dead_pid)
    pg_pid = services.var / "postgres" / "data" / "postmaster.pid"
    pg_pid.write_text(f"{dead_pid}\n{services.var}/postgres/data\n0\n0\n\n\n\nready\n")

    result = services("start")

    assert result.returncode == 0, result.stderr
    assert (services.var / "redis" / "redis.pid").read_text().strip() != dead_pid
    assert pg_pid.read_text().split()[0] != dead_pid


@pytest.mark.parametrize("which, variable", [("postgres", "EMBEDDED_PG_PORT"), ("redis", "EMBEDDED_REDIS_PORT")])
def test_a_port_taken_by_another_program_gives_a_clear_error(services, which, variable):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(services.env[variable])))
        squatter.listen()

        result = services("start")

    assert result.returncode != 0
    assert f"is in use by another program, so the embedded {'PostgreSQL' if which == 'postgres' else 'Redis'}" in (
        result.stderr
    )
    assert variable in result.stderr


def test_the_embedded_postgresql_gets_the_configured_shared_buffers(services):
    import psycopg

    services.env["EMBEDDED_PG_SHARED_BUFFERS_MB"] = "48"
    started = services("start")
    assert started.returncode == 0, started.stderr

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{services.env['EMBEDDED_PG_PORT']}/postgres") as conn:
        assert conn.execute("SHOW shared_buffers").fetchone() == ("48MB",)
