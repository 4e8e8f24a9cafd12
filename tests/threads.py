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


def sessions_blocked_on_a_lock() -> int:
    """How many sessions of this database wait on a lock now (to hold one job until another is stuck behind it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is otherwise frozen per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
