"""A model of the removed read cache's best hit rate (docs/architecture.md, "The read cache: measured, removed").

    python tools/read_cache_model.py --changes-per-second 0.58 --requests-per-client 0.9

Replays `tests/reliability/load.py`'s request mix from 6 clients (Poisson arrivals, ids drawn from one page of
each list, as the load discovers them) against a data version that changes as a Poisson process, and counts the
requests whose cache key (pages: session and URL; API: the shared token and URL) was already answered under the
same version. A model, not a measurement: the measured figures are in docs/architecture.md.
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.load import API_MIX, PAGE_MIX, WORDS

UNCACHED = {"page:sources"}  # the sources page was never cached (it shows progress)


def hit_rate(*, changes_per_second: float, requests_per_client: float, clients: int = 6, seconds: float = 3600,
             ids: int = 50, seed: int = 1) -> tuple[int, int]:
    rng = random.Random(seed)  # noqa: S311 -- a model, not security
    changes, t = [], 0.0
    while t < seconds:
        t += rng.expovariate(changes_per_second)
        changes.append(t)
    mix = PAGE_MIX + API_MIX
    weights = [w for w, _, _ in mix]
    asked = []
    for client in range(clients):
        t = 0.0
        while t < seconds:
            t += rng.expovariate(requests_per_client)
            _, kind, template = rng.choices(mix, weights)[0]
            if kind in UNCACHED:
                continue
            path = template.format(claim=rng.randrange(ids), party=rng.randrange(ids), article=rng.randrange(ids),
                                   word=rng.choice(WORDS))
            asked.append((t, (client if kind.startswith("page:") else "api", path)))
    asked.sort()
    kept, hits = {}, 0
    for t, key in asked:
        version = bisect.bisect(changes, t)
        hits += kept.get(key) == version
        kept[key] = version
    return hits, len(asked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes-per-second", type=float, required=True)
    parser.add_argument("--requests-per-client", type=float, required=True)
    args = parser.parse_args()
    hits, asked = hit_rate(changes_per_second=args.changes_per_second, requests_per_client=args.requests_per_client)
    print(f"{hits} hits of {asked} cacheable requests: {hits / asked:.1%}")


if __name__ == "__main__":
    main()
