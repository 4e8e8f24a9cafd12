"""Load at benchmark scale while ingestion runs: `make load` (or `python -m tools.load.run`).

    python -m tools.load.run --claims 1000000 --threads 6 --duration 60 --max-requests 20000 \\
        --articles 30

1. A database of its own on the embedded PostgreSQL (`bench_load_1m` for 1 000 000 claims, `bench_load_100k`
   for 100 000): created, migrated (so the latest indexes and counters are there) and, when empty, filled by
   `manage.py generate_data` at that scale (the bench's distribution and seed, scaled). Never the bench,
   test or dev database: ingestion writes into it. A copy of bench_1m (`CREATE DATABASE ... TEMPLATE`) is not
   used because it needs bench_1m to have no other session, which other engineers' benchmarks hold open.
2. A private Redis (broker and cache), a local news site on 127.0.0.1 serving fresh attributed stories,
   gunicorn (gunicorn.conf.py: a process per core, 2 threads each) and a Celery worker (prefork, 2, niced),
   DEBUG off, API throttles lifted.
3. `tools.load.driver` (analysts' page views and API reads from N threads, bounded in time and
   requests) while a newsroom tool submits the stories one by one through the API; the worker fetches,
   stores and analyses each (claim matching against the whole corpus).
4. Prints one JSON object (load figures per kind, ingestion outcome) and writes it to --output; exits 1 when
   any request failed or any story was not ingested. Everything it started is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.reliability.servers import PrivateRedis, free_port, serve_stories, wait_for
from tests.sources.conftest import Site
from tools.load import driver as load

REPO = Path(__file__).resolve().parents[2]
SCALE_1M = {"outlets": 2_000, "parties": 20_000, "articles": 1_000_000, "claims": 1_000_000, "statements": 3_000_000}
SETUP = """
from django.contrib.auth import get_user_model
from core.enums import Role
from core.roles import user_set_role
from claims.services import api_token_create
user, _ = get_user_model().objects.get_or_create(username="load-analyst")
user.set_password({password!r})
user.save()
user_set_role(user=user, role=Role.ANALYST)
print("TOKENS", api_token_create(user=user, name="load-read")[1], api_token_create(user=user, name="load-submit",
      read_write=True)[1])
"""


def _name(claims: int) -> str:
    return f"bench_load_{claims // 1_000_000}m" if claims % 1_000_000 == 0 else f"bench_load_{claims // 1000}k"


def _manage(env: dict, *args: str, timeout: float = 3600) -> str:
    result = subprocess.run(  # noqa: S603 -- our own manage.py
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_database(server: str, name: str, claims: int, env: dict) -> int:
    """Create, migrate and (when empty) fill the load database; return its number of claims."""
    import psycopg

    if not name.startswith("bench_load"):
        raise SystemExit(f"refusing database {name!r}: the load run writes; its database must be named bench_load*")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", file=sys.stderr, flush=True)
    started = time.monotonic()
    _manage(env, "migrate", "--no-input")
    print(f"migrated in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    with psycopg.connect(f"{server}/{name}") as conn:
        count, statements = conn.execute("SELECT (SELECT count(*) FROM claims_claim), "
                                         "(SELECT count(*) FROM claims_statement)").fetchone()
    if count and not statements:
        raise SystemExit(f"{name} has claims but no statements: an interrupted fill. Drop it (DROP DATABASE "
                         f"{name}) and run again; it is made anew.")
    if count == 0:
        factor = claims / SCALE_1M["claims"]
        scale = [f"--{key}={max(1, round(value * factor))}" for key, value in SCALE_1M.items()]
        print(f"generating {' '.join(scale)} ...", file=sys.stderr, flush=True)
        print(_manage(env, "generate_data", *scale), file=sys.stderr, flush=True)
        with psycopg.connect(f"{server}/{name}") as conn:
            count = conn.execute("SELECT count(*) FROM claims_claim").fetchone()[0]
    return count


class Process:
    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path) -> None:
        self.log_path = log_dir / f"load-{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=self.log,  # noqa: S603 -- fixed
                                        stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def submit_stories(base: str, token: str, urls: list[str], spread: float, runs: list[int], errors: list[str]) -> None:
    """A newsroom tool: one story every spread/len(urls) seconds through POST /api/v1/ingestion-runs/."""
    gap = spread / max(1, len(urls))
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}) as api:
        for url in urls:
            try:
                answer = api.post("/api/v1/ingestion-runs/", json={"url": url})
                if answer.status_code == 202:
                    runs.append(answer.json()["id"])
                else:
                    errors.append(f"submit {answer.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"submit {type(exc).__name__}")
            time.sleep(gap)


def ingestion_outcome(base: str, token: str, runs: list[int], *, wait: float) -> dict:
    """Wait (bounded) for the submitted runs to finish and their articles to be analysed; count the outcomes
    and time the whole (from the first submission to the last analysis seen)."""
    headers = {"Authorization": f"Bearer {token}"}
    unfinished = {"queued", "fetched"}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as api:
        def items() -> list[dict]:
            return [item for run in runs for item in api.get(f"/api/v1/ingestion-runs/{run}/").json()["items"]]

        def articles(done: list[dict]) -> dict[int, str]:
            ids = {item["article"] for item in done if item["article"]}
            return {pk: api.get(f"/api/v1/articles/{pk}/").json().get("status", "?") for pk in ids}

        deadline = time.monotonic() + wait
        while True:
            done = items()
            states = articles(done)
            finished = (not any(item["status"] == "pending" for item in done)
                        and not unfinished & set(states.values()))
            if finished or time.monotonic() > deadline:
                break
            time.sleep(2)
    count = {}
    for key, values in (("items", [item["status"] for item in done]), ("articles", list(states.values()))):
        count[key] = {value: values.count(value) for value in sorted(set(values))}
    return {"submitted": len(runs), **count, "all_analysed_within_wait": finished,
            "errors": [item["error"] for item in done if item["error"]][:5]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000, help="scale of the load database (1 000 000 = bench)")
    parser.add_argument("--database", help="default: bench_load_1m / bench_load_100k / ... after --claims")
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--articles", type=int, default=30, help="stories submitted for ingestion during the load")
    parser.add_argument("--ingest-wait", type=float, default=180, help="seconds to wait for ingestion afterwards")
    parser.add_argument("--output", type=Path, default=REPO / "test-artifacts" / "load-bench.json")
    args = parser.parse_args()

    name = args.database or _name(args.claims)
    server = f"postgresql://postgres@127.0.0.1:{os.environ.get('EMBEDDED_PG_PORT', '54329')}"
    redis = PrivateRedis(Path(tempfile.mkdtemp(prefix="load-redis-")))
    log_dir = REPO / "test-artifacts"
    log_dir.mkdir(exist_ok=True)
    env = dict(os.environ, DATABASE_URL=f"{server}/{name}", DEBUG="0", APP_ENV="development", LOG_LEVEL="WARNING",
               API_THROTTLE_TOKEN="1000000/hour",  # noqa: S106 -- a rate limit's setting name, not a password API_THROTTLE_USER="1000000/hour",
               INGEST_ALLOWED_HOSTS="127.0.0.1", INGEST_HOST_WAIT_SECONDS="0")
    claims = prepare_database(server, name, args.claims, env)
    redis.start()
    env["REDIS_URL"] = redis.url
    password = secrets.token_urlsafe(16)
    read_token, write_token = re.search(r"TOKENS (\S+) (\S+)", _manage(env, "shell", "-c",
                                                                       SETUP.format(password=password))).groups()
    site = Site()
    site.thread.start()
    first = int(time.time()) % 10_000_000  # fresh stories each run: nothing is a duplicate of the last run's
    urls = serve_stories(site, args.articles, delay=0.2, start=first)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started: list[Process] = []
    try:
        started.append(Process("web", [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                                       "--timeout", "60"], env, log_dir))
        started.append(Process("worker", [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool",
                                          "prefork", "--concurrency", "2", "--loglevel", "WARNING",
                                          "--without-gossip", "--without-mingle",
                                          "--hostname", f"load-{os.getpid()}@%h"], env, log_dir))

        def ready():
            try:
                answer = httpx.get(base + "/healthz", timeout=10)
            except httpx.HTTPError:
                return False
            return answer.status_code == 200 and answer.json()["workers"]["count"] >= 1

        wait_for(ready, timeout=120, what=f"gunicorn and the worker (logs in {log_dir})")
        runs: list[int] = []
        submit_errors: list[str] = []
        submitter = threading.Thread(target=submit_stories, args=(base, write_token, urls, args.duration * 0.8,
                                                                  runs, submit_errors))
        submitter.start()
        result = load.run(base_url=base, user="load-analyst", password=password, token=read_token,
                          threads=args.threads, duration=args.duration, max_requests=args.max_requests)
        submitter.join()
        load_ended = time.monotonic()
        ingestion = ingestion_outcome(base, read_token, runs, wait=args.ingest_wait)
        ingestion["seconds_after_the_load"] = round(time.monotonic() - load_ended, 1)
        ingestion["submit_errors"] = submit_errors
    finally:
        for process in reversed(started):
            process.stop()
        site.server.shutdown()
        site.server.server_close()
        redis.stop()
        shutil.rmtree(redis.root, ignore_errors=True)
    report = {"database": name, "claims": claims, "threads": args.threads, "duration_s": args.duration,
              "max_requests": args.max_requests, "load": result, "ingestion": ingestion}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    ok = (result["errors"] == 0 and not submit_errors and ingestion["items"].get("pending", 0) == 0
          and ingestion["submitted"] == args.articles and not ingestion["items"].get("failed")
          and ingestion["all_analysed_within_wait"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
