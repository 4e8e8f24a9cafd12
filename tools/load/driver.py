"""A bounded load test: analysts' page views and newsroom tools' API reads against a running tracker.

    python -m tools.load.driver --base-url http://127.0.0.1:8000 --user ana --password ... \\
        --token <read-only API token> --threads 8 --duration 60 --max-requests 20000

Each thread signs in once, then picks requests from a realistic mix (dashboard, claim list and search,
claim pages, parties, articles, review queue; API lists, details, filters) until the time or the request
budget runs out. Prints one JSON object: requests, errors (status >= 400 or no answer), throughput,
latency percentiles overall and per kind of request, and how the read cache answered (X-Cache: hit, miss, none).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import threading
import time
from collections import defaultdict

import httpx

PAGE_MIX = [  # (weight, kind, path template)
    (10, "page:dashboard", "/"),
    (12, "page:claim_list", "/claims/"),
    (6, "page:claim_search", "/claims/?q={word}"),
    (20, "page:claim_detail", "/claims/{claim}/"),
    (5, "page:party_list", "/parties/"),
    (8, "page:party_detail", "/parties/{party}/"),
    (6, "page:article_list", "/articles/"),
    (10, "page:article_detail", "/articles/{article}/"),
    (3, "page:review_queue", "/review/"),
    (2, "page:sources", "/sources/"),
]
API_MIX = [
    (10, "api:claims", "/api/v1/claims/"),
    (10, "api:claim", "/api/v1/claims/{claim}/"),
    (6, "api:statements_of_claim", "/api/v1/statements/?claim={claim}"),
    (4, "api:parties", "/api/v1/parties/"),
    (4, "api:articles", "/api/v1/articles/"),
    (3, "api:claims_filtered", "/api/v1/claims/?verdict=unverified"),
]
WORDS = ["bridge", "ministry", "killed", "shot", "denied", "civilians", "border", "attack"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def sign_in(client: httpx.Client, user: str, password: str) -> None:
    form = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = client.post("/accounts/login/", data={"username": user, "password": password,
                                                   "csrfmiddlewaretoken": token})
    if answer.status_code != 302:
        raise SystemExit(f"sign-in as {user} failed: HTTP {answer.status_code}")


def discover(client: httpx.Client, token: str) -> dict[str, list]:
    """Ids to visit, read through the API like any tool would."""
    headers = {"Authorization": f"Bearer {token}"}
    claims = [c["id"] for c in client.get("/api/v1/claims/", headers=headers).json()["results"]]
    parties = [p["slug"] for p in client.get("/api/v1/parties/", headers=headers).json()["results"]]
    articles = [a["id"] for a in client.get("/api/v1/articles/", headers=headers).json()["results"]]
    return {"claim": claims or [1], "party": parties or ["x"], "article": articles or [1]}


def run(*, base_url: str, user: str, password: str, token: str, threads: int, duration: float,
        max_requests: int, seed: int = 1) -> dict:
    with httpx.Client(base_url=base_url, timeout=30) as probe:
        ids = discover(probe, token)
    latencies: dict[str, list[float]] = defaultdict(list)
    # The read cache's answer to each request (its X-Cache header: hit, miss, or none when it was not consulted).
    cached: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors: list[str] = []
    budget = threading.Semaphore(max_requests)
    deadline = time.monotonic() + duration
    lock = threading.Lock()

    def work(n: int) -> None:
        rng = random.Random(seed + n)  # noqa: S311 -- a load mix, not security
        mix = PAGE_MIX + API_MIX
        weights = [w for w, _, _ in mix]
        with httpx.Client(base_url=base_url, timeout=30) as client:
            sign_in(client, user, password)
            api_headers = {"Authorization": f"Bearer {token}"}
            while time.monotonic() < deadline and budget.acquire(blocking=False):
                _, kind, template = rng.choices(mix, weights)[0]
                path = template.format(claim=rng.choice(ids["claim"]), party=rng.choice(ids["party"]),
                                       article=rng.choice(ids["article"]), word=rng.choice(WORDS))
                started = time.monotonic()
                try:
                    answer = client.get(path, headers=api_headers if kind.startswith("api:") else None)
                    failed = f"{answer.status_code} {path}" if answer.status_code >= 400 else None
                    cache = answer.headers.get("X-Cache", "none")
                except httpx.HTTPError as exc:
                    failed, cache = f"{type(exc).__name__} {path}", "none"
                elapsed = (time.monotonic() - started) * 1000
                with lock:
                    latencies[kind].append(elapsed)
                    cached[kind][cache] += 1
                    if failed:
                        errors.append(failed)

    started = time.monotonic()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.monotonic() - started
    everything = [v for values in latencies.values() for v in values]
    cache_total = {answer: sum(c.get(answer, 0) for c in cached.values()) for answer in ("hit", "miss", "none")}
    return {
        "requests": len(everything), "errors": len(errors), "error_samples": errors[:10],
        "seconds": round(wall, 1), "per_second": round(len(everything) / wall, 1) if wall else 0,
        "p50_ms": round(percentile(everything, 50), 1), "p95_ms": round(percentile(everything, 95), 1),
        "p99_ms": round(percentile(everything, 99), 1),
        "cache": cache_total,
        "by_kind": {kind: {"n": len(v), "p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1),
                           "cache": dict(sorted(cached[kind].items()))}
                    for kind, v in sorted(latencies.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--token", required=True, help="a read-only API token (manage.py api_token)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20000)
    args = parser.parse_args()
    print(json.dumps(run(base_url=args.base_url, user=args.user, password=args.password, token=args.token,
                         threads=args.threads, duration=args.duration, max_requests=args.max_requests), indent=2))


if __name__ == "__main__":
    main()
