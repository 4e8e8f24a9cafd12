"""Jobs run at once on threads of their own, each with its own database connection, for concurrency tests."""

from __future__ import annotations

import threading

from django.db import connection


def in_threads(*jobs):
    """Run the jobs at once (a barrier lines them up); return their results, or what they raised, in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:  # the test reads it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
