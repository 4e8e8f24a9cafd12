"""gunicorn's settings wherever the app is served from this directory (`make run`, `make load`, the image).

gunicorn reads ./gunicorn.conf.py by itself; flags on the command line still win. Sized to the machine: one
process per core this process may run on, two threads each (a request mostly waits on PostgreSQL), so that web
requests and the worker's analysis share the cores instead of queueing behind a fixed count picked elsewhere.
"""

import os


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    number = int(value)  # a bad value stops the server at start-up, loudly
    if number < 1:
        raise ValueError(f"{name}={number} must be at least 1")
    return number


workers = _count("WEB_CONCURRENCY", len(os.sched_getaffinity(0)))
threads = _count("WEB_THREADS", 2)
